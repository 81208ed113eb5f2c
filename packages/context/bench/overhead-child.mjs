// One run of the overhead benchmark: a fixed workload for a fixed wall time
// with the context's monitor and/or watchdog on or off; prints CPU time used.
//   node overhead-child.mjs <off|monitor|watchdog|both> <idle|json> <seconds>
import { Context, MONITOR_STATS } from '@support/context';

const [mode, workload, seconds] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 4)];
const ctx = new Context({
  monitoring: mode === 'monitor' || mode === 'both',
  watchdog: mode === 'watchdog' || mode === 'both',
});

// `json`: every 10 ms a fixed amount of JSON work (not a fixed time, so that
// contention on the shared machine changes its CPU time as little as
// possible), the shape of a lightly loaded service. `idle`: a process with
// nothing to do but one ref'd timer, which shows the monitor's own cost alone.
const doc = {
  items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item${i}`, tags: ['a', 'b'] })),
};
const work =
  workload === 'json'
    ? setInterval(() => {
        for (let k = 0; k < 4; k++) JSON.parse(JSON.stringify(doc));
      }, 10)
    : setInterval(() => {}, 60_000);

await new Promise((r) => setTimeout(r, 500)); // warm-up, not measured
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
clearInterval(work);
const tick = ctx.durations.get(MONITOR_STATS.overhead);
process.stdout.write(
  `${JSON.stringify({ mode, workload, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, tickMedianMs: tick.n ? tick.quantile(0.5) : 0, ticks: tick.n })}\n`,
);
await ctx.close();

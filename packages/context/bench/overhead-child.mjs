// One run of the overhead benchmark: a fixed workload for a fixed wall time
// with the context's monitor and/or watchdog on or off; prints CPU time used.
import { Context, MONITOR_STATS } from '@support/context';

const [mode, seconds] = [process.argv[2], Number(process.argv[3] ?? 4)];
const ctx = new Context({
  monitoring: mode === 'monitor' || mode === 'both',
  watchdog: mode === 'watchdog' || mode === 'both',
});

// The workload: every 10 ms, about half a millisecond of JSON work, the
// shape of a lightly loaded service.
const doc = {
  items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item${i}`, tags: ['a', 'b'] })),
};
const work = setInterval(() => {
  const end = performance.now() + 0.5;
  while (performance.now() < end) JSON.parse(JSON.stringify(doc));
}, 10);

await new Promise((r) => setTimeout(r, 500)); // warm-up, not measured
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
clearInterval(work);
const tick = ctx.durations.get(MONITOR_STATS.overhead);
process.stdout.write(
  `${JSON.stringify({ mode, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, tickMedianMs: tick.n ? tick.quantile(0.5) : 0, ticks: tick.n })}\n`,
);
await ctx.close();

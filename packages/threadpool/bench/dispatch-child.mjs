// One contender of the dispatch benchmark in a process of its own, so that
// where the OS puts its one worker thread affects each contender alike over
// the rounds. Prints the median round trip in µs of `calls` awaited calls.
// Usage: node dispatch-child.mjs <piscina|piscinaNamed|cpuBound|inline|raw> <calls>
import { Context } from '@support/context';
import { closePools, configurePools, setThreadDispatch } from '@support/threadpool';
import { median } from '@support-tools/bench';
import { Piscina } from 'piscina';
import { noop } from './tasks.mjs';

const [path = 'cpuBound', callsArg = '20000'] = process.argv.slice(2);
const calls = Number(callsArg);
const ctx = new Context({ monitoring: false, watchdog: false });
configurePools({ cpu: { threads: 1, context: ctx } });
const piscina =
  path === 'piscina' || path === 'piscinaNamed'
    ? new Piscina({
        filename: new URL('./tasks.mjs', import.meta.url).href,
        name: 'plainNoop',
        minThreads: 1,
        maxThreads: 1,
      })
    : undefined;
if (path === 'inline') setThreadDispatch(false);
const call = {
  piscina: (i) => piscina.run(i),
  piscinaNamed: (i) => piscina.run(i, { name: 'plainNoop' }),
  cpuBound: (i) => noop(i),
  inline: (i) => noop(i),
  raw: (i) => noop.raw(i),
}[path];
if (call === undefined) throw new Error(`unknown path ${path}`);

for (let i = 0; i < 2_000; i++) await call(i);
const samples = [];
for (let i = 0; i < calls; i++) {
  const t0 = process.hrtime.bigint();
  await call(i);
  samples.push(Number(process.hrtime.bigint() - t0) / 1000);
}
process.stdout.write(`${median(samples)}\n`);
await piscina?.destroy();
await closePools();
await ctx.close();

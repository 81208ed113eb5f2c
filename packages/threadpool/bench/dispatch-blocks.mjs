// The dispatch contenders in ONE process, alternating in blocks of calls, so
// that load from other jobs on a shared machine hits them alike (separate
// processes also differ in where the OS puts their thread). Each contender
// has its own pool of one thread; idle threads sleep in Atomics.wait.
// Prints JSON: { rounds, blocks, blockSize, medians: { path: [µs per round] } }.
// Usage: node dispatch-blocks.mjs [rounds=7] [blocksPerRound=40] [blockSize=100]
import { Context } from '@support/context';
import { closePools, configurePools } from '@support/threadpool';
import { median } from '@support-tools/bench';
import { Piscina } from 'piscina';
import { noop } from './tasks.mjs';

const [rounds = 7, blocks = 40, blockSize = 100] = process.argv.slice(2).map(Number);
const ctx = new Context({ monitoring: false, watchdog: false });
configurePools({ cpu: { threads: 1, context: ctx } });
const piscina = new Piscina({
  filename: new URL('./tasks.mjs', import.meta.url).href,
  name: 'plainNoop',
  minThreads: 1,
  maxThreads: 1,
});
const paths = {
  piscina: (i) => piscina.run(i),
  piscinaNamed: (i) => piscina.run(i, { name: 'plainNoop' }),
  cpuBound: (i) => noop(i),
};
const names = Object.keys(paths);

/** Appends the round trip (µs) of `n` sequential awaited calls to `out`. */
async function block(call, n, out) {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}

/** One round: every path runs `blocks` blocks, interleaved; returns each path's samples. */
async function round() {
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let b = 0; b < blocks; b++) {
    // Rotate the order so that no path always follows the same one.
    for (let k = 0; k < names.length; k++) {
      const name = names[(b + k) % names.length];
      await block(paths[name], blockSize, samples[name]);
    }
  }
  return samples;
}

// Two rounds, not counted, warm up every path (threads, module loads, JIT):
// after one, the first counted round was still slower than the rest.
await round();
await round();
const medians = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  const samples = await round();
  for (const name of names) medians[name].push(median(samples[name]));
}
process.stdout.write(`${JSON.stringify({ rounds, blocks, blockSize, medians })}\n`);
await piscina.destroy();
await closePools();
await ctx.close();

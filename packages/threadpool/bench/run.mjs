// @support/threadpool benchmarks: dispatch overhead of a trivial cpuBound
// call next to the same task through piscina directly (and inline), each path
// in processes of its own and all paths interleaved in one process, event
// loop responsiveness while 2 s of synchronous parsing runs in the pool or
// inline, and the cost of rejections when the queue bound is hit.
// Run: pnpm bench threadpool (from the repository root).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Context } from '@support/context';
import { closePools, configurePools, getPool } from '@support/threadpool';
import { fmt, median, table } from '@support-tools/bench';
import { noop, parseFor, sleep } from './tasks.mjs';

const ctx = new Context({ monitoring: false, watchdog: false });
configurePools({ cpu: { threads: 1, maxQueue: 64, context: ctx } });

process.stdout.write('## @support/threadpool\n\n');

// --- dispatch overhead ---------------------------------------------------
// Each contender runs in a process of its own (one worker thread each), the
// contenders alternate over the rounds, and each figure is the median over
// rounds of the per-process median round trip.
const ROUNDS = 7;
const CALLS = 20_000;
const contenders = ['piscina', 'piscinaNamed', 'cpuBound', 'inline', 'raw'];
const rt = Object.fromEntries(contenders.map((c) => [c, []]));
const child = fileURLToPath(new URL('./dispatch-child.mjs', import.meta.url));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of contenders) {
    const out = execFileSync(process.execPath, [child, c, String(CALLS)], { encoding: 'utf8' });
    rt[c].push(Number(out.trim()));
  }
}
const base = median(rt.piscina);
const named = median(rt.piscinaNamed);
const row = (label, values) => {
  const m = median(values);
  const range = `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
  return [label, fmt(m), range, `${fmt(m / base)}×`, `${fmt(m / named)}×`];
};
process.stdout.write(
  `Dispatch overhead: round trip of one awaited call of a task that returns its argument, one thread. Each path runs ${CALLS} sequential calls in a process of its own; the paths alternate over ${ROUNDS} rounds; figures are the median (and range) over rounds of each process's median. piscina is called with the pool's default export (its fastest path) and with the export named per call, the way one pool serves several tasks.\n\n`,
);
table(
  [
    'path',
    'round trip (µs)',
    'range over rounds',
    'vs `piscina.run(x)`',
    'vs `piscina.run(x, { name })`',
  ],
  [
    row('`piscina.run(x)` (pool default export)', rt.piscina),
    row('`piscina.run(x, { name })`', rt.piscinaNamed),
    row('`cpuBound` task', rt.cpuBound),
    row('`cpuBound` with `setThreadDispatch(false)` (inline)', rt.inline),
    row('`task.raw()` awaited', rt.raw),
  ],
);

// --- dispatch overhead, in one process ----------------------------------------
// The same calls with the paths interleaved in blocks within one process, so
// that load from other jobs hits them alike, each round's ratio taken against
// piscina in that same round. Pinned to one CPU where taskset exists: on this
// VM a thread woken on the other, idle vCPU costs ~60 µs more per round trip,
// and which pool's thread lands there is luck that lasts a whole process.
// Several processes, because a process's ratio also varies a little.
const PROCESSES = 5;
const blocksChild = fileURLToPath(new URL('./dispatch-blocks.mjs', import.meta.url));
const pinned = existsSync('/usr/bin/taskset');
const inProcess = { piscina: [], piscinaNamed: [], cpuBound: [] };
let shape;
for (let p = 0; p < PROCESSES; p++) {
  const out = pinned
    ? execFileSync('/usr/bin/taskset', ['-c', '0', process.execPath, blocksChild], {
        encoding: 'utf8',
      })
    : execFileSync(process.execPath, [blocksChild], { encoding: 'utf8' });
  shape = JSON.parse(out.trim().split('\n').pop());
  for (const path of Object.keys(inProcess)) inProcess[path].push(...shape.medians[path]);
}
const blockRow = (label, path) => {
  const values = inProcess[path];
  const ratios = values.map((v, i) => v / inProcess.piscina[i]);
  return [
    label,
    fmt(median(values)),
    `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`,
    `${fmt(median(ratios))}×`,
    `${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}`,
  ];
};
process.stdout.write(
  `Dispatch overhead in one process: the same round trip, the paths interleaved in blocks of ${shape.blockSize} calls (rotating order), ${shape.blocks} blocks per path per round, ${shape.rounds} rounds after two warm-up rounds, in ${PROCESSES} processes${pinned ? ' pinned to one CPU (`taskset -c 0`)' : ''}; round trip is the median (and range) over all rounds of each round's per-call median; the ratio is each round's median over \`piscina.run(x)\`'s in the same round, median (and range) over all rounds.\n\n`,
);
table(
  [
    'path',
    'round trip (µs)',
    'range over rounds',
    'vs `piscina.run(x)`',
    'ratio range over rounds',
  ],
  [
    blockRow('`piscina.run(x)` (pool default export)', 'piscina'),
    blockRow('`piscina.run(x, { name })`', 'piscinaNamed'),
    blockRow('`cpuBound` task', 'cpuBound'),
  ],
);

// --- responsiveness --------------------------------------------------------
/** A JSON document of about 4 MB. */
const doc = JSON.stringify(
  Array.from({ length: 40_000 }, (_, i) => ({
    id: i,
    name: `item ${i}`,
    tags: ['a', 'b', 'c'],
    n: i * 1.5,
  })),
);
const WORK_MS = 2_000;
const TICK_MS = 10;

/** Runs `work` while a 10 ms interval measures how late each tick is. */
async function lateness(work) {
  const late = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    late.push(Math.max(0, now - last - TICK_MS));
    last = now;
  }, TICK_MS);
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  const parses = await work();
  const took = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 100));
  clearInterval(timer);
  late.sort((a, b) => a - b);
  const p99 = late[Math.min(late.length - 1, Math.floor(late.length * 0.99))];
  return { p50: median(late), p99, max: late[late.length - 1], ticks: late.length, took, parses };
}

await noop(0);
const inPool = await lateness(() => parseFor(doc, WORK_MS));
const inline = await lateness(() => parseFor.raw(doc, WORK_MS));
process.stdout.write(
  `Responsiveness: lateness of a ${TICK_MS} ms interval timer on the main thread while ${WORK_MS / 1000} s of synchronous \`JSON.parse\` (a ${fmt(doc.length / 1e6)} MB document, parsed repeatedly) runs, plus 100 ms before and after.\n\n`,
);
table(
  [
    'where the parse runs',
    'ticks',
    'p50 late (ms)',
    'p99 late (ms)',
    'max late (ms)',
    'work took (ms)',
  ],
  [
    [
      '`cpuBound` (pool thread)',
      inPool.ticks,
      fmt(inPool.p50),
      fmt(inPool.p99),
      fmt(inPool.max),
      fmt(inPool.took),
    ],
    [
      'inline on the main thread',
      inline.ticks,
      fmt(inline.p50),
      fmt(inline.p99),
      fmt(inline.max),
      fmt(inline.took),
    ],
  ],
);

// --- queue bound -------------------------------------------------------------
// Fill the pool (1 running + 64 queued), then time calls that are rejected.
const pool = getPool('cpu');
const fill = [];
for (let i = 0; i < pool.threads + pool.maxQueue; i++) fill.push(sleep(i === 0 ? 1_000 : 0));
const rejectUs = [];
for (let i = 0; i < 10_000; i++) {
  const t0 = process.hrtime.bigint();
  try {
    await noop(i);
  } catch (error) {
    if (error.code !== 'SUP_ERR_THREADPOOL_QUEUE_FULL') throw error;
  }
  rejectUs.push(Number(process.hrtime.bigint() - t0) / 1000);
}
await Promise.all(fill);
rejectUs.sort((a, b) => a - b);

// A flood: 20 000 calls fired at once at a pool that holds 65.
const FLOOD = 20_000;
const t0 = performance.now();
const settled = await Promise.allSettled(Array.from({ length: FLOOD }, (_, i) => noop(i)));
const floodMs = performance.now() - t0;
const ok = settled.filter((s) => s.status === 'fulfilled').length;
process.stdout.write(
  'Queue bound: with the pool full (1 running, 64 queued), 10 000 further calls each awaited until rejected with `QueueFullError`; then a flood of 20 000 calls fired at once.\n\n',
);
table(
  ['measure', 'value'],
  [
    ['rejected call, p50 (µs)', fmt(median(rejectUs))],
    ['rejected call, p99 (µs)', fmt(rejectUs[Math.floor(rejectUs.length * 0.99)])],
    ['rejected call, max (µs)', fmt(rejectUs[rejectUs.length - 1])],
    ['flood: accepted / rejected', `${ok} / ${FLOOD - ok}`],
    ['flood: all settled in (ms)', fmt(floodMs)],
    ['dropped (pool status)', pool.status().dropped],
  ],
);

await closePools();
await ctx.close();

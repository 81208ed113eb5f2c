// @support/faststat benchmarks: cost of Stats.add next to tdigest and
// hdr-histogram-js in the same process, quantile accuracy on 1e6-point
// streams (also merged from 8 shards), memory per Stats, HyperLogLog error
// and cost. Run: pnpm bench faststat (from the repository root).
import { createRequire } from 'node:module';
import { Duration, HeavyHitters, HyperLogLog, Markov, nanotime, Stats } from '@support/faststat';
import { fmt, median, nsPerOp, table } from '@support-tools/bench';
import { exactQuantile, sampleStream as stream } from '@support-tools/test-utils';

const require = createRequire(import.meta.url);
const { TDigest } = require('tdigest');
const hdr = require('hdr-histogram-js');

// A power of two, so loops index with a mask: a modulo would cost more than some contenders.
const N = 1 << 20;
const MASK = N - 1;
// The accuracy figures are for streams of exactly one million points.
const STREAM_N = 1_000_000;
const lognormal = stream('lognormal', N, 7);
const micros = Uint32Array.from(lognormal, (x) => Math.max(1, Math.round(x * 1000)));

process.stdout.write('## @support/faststat\n\n');

// --- memory (first, before other sections leave garbage behind) ----------
const COUNT = 2000;
globalThis.gc?.();
const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const many = [];
for (let k = 0; k < COUNT; k++) {
  const s = new Stats();
  for (let i = 0; i < 2000; i++) s.add(lognormal[(k * 2000 + i) & MASK] * 10 ** ((k % 5) - 2));
  many.push(s);
}
globalThis.gc?.();
const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const perStats = (after - before) / COUNT;
const maxByteLength = Math.max(...many.map((s) => s.byteLength));
process.stdout.write(
  'Memory per Stats with defaults (2000 Stats of 2000 lognormal points each):\n\n',
);
table(
  ['measure', 'bytes'],
  [
    ['heap + array buffers per Stats (measured)', fmt(perStats, 4)],
    ['largest `byteLength` (own estimate)', fmt(maxByteLength, 4)],
    ['budget', '16384'],
  ],
);
many.length = 0;

// --- cost per point ------------------------------------------------------
/**
 * nsPerOp's method (a warm-up, then the median of `runs` runs), reporting the
 * process's CPU time per op beside the wall time: on the loaded shared
 * machine the wall time also counts the moments the process waited for a core.
 */
function timed(fn, { iterations, runs }) {
  fn(Math.min(iterations, 100_000));
  const wall = [];
  const cpu = [];
  for (let r = 0; r < runs; r++) {
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn(iterations);
    wall.push(Number(process.hrtime.bigint() - t0) / iterations);
    const c = process.cpuUsage(c0);
    cpu.push(((c.user + c.system) * 1000) / iterations);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const ROUNDS = 7;
const costs = {
  stats: [],
  lean: [],
  withInterval: [],
  duration: [],
  markov: [],
  tdigest: [],
  hdr: [],
  clock: [],
};
const TRANSITIONS = N / 4;
// One Markov for the whole bench, as a server keeps one for its lifetime: a
// Markov made per run dies at the forced GC between runs, taking with it the
// hidden classes its transitions were compiled against, so every run would
// time V8 re-optimizing them too (≈+170 ns a transition, measured).
const machine = new Markov();
const live = Array.from({ length: 100 }, () => machine.makeTransitor('idle'));
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved so that load on the shared machine hits every contender alike.
  costs.stats.push(
    timed(
      (n) => {
        const s = new Stats();
        for (let i = 0; i < n; i++) s.add(lognormal[i & MASK]);
      },
      { iterations: N, runs: 3 },
    ),
  );
  costs.lean.push(
    timed(
      (n) => {
        const s = new Stats({ interval: false, windowCounts: false, recentSize: 0, topSize: 0 });
        for (let i = 0; i < n; i++) s.add(lognormal[i & MASK]);
      },
      { iterations: N, runs: 3 },
    ),
  );
  costs.withInterval.push(
    timed(
      (n) => {
        const s = new Stats({ interval: true });
        for (let i = 0; i < n; i++) s.add(lognormal[i & MASK]);
      },
      { iterations: N, runs: 3 },
    ),
  );
  costs.markov.push(
    timed(
      (n) => {
        for (let i = 0; i < n; i++) {
          const t = live[i % 100];
          t.transition(t.state === 'idle' ? 'busy' : 'idle');
        }
      },
      { iterations: TRANSITIONS, runs: 3 },
    ),
  );
  costs.duration.push(
    timed(
      (n) => {
        const d = new Duration();
        for (let i = 0; i < n; i++) d.end(nanotime() - 1000);
      },
      { iterations: N, runs: 3 },
    ),
  );
  costs.tdigest.push(
    timed(
      (n) => {
        const t = new TDigest();
        for (let i = 0; i < n; i++) t.push(lognormal[i & MASK]);
      },
      { iterations: N / 4, runs: 3 },
    ),
  );
  costs.hdr.push(
    timed(
      (n) => {
        const h = hdr.build({
          highestTrackableValue: 1e9,
          numberOfSignificantValueDigits: 3,
          useWebAssembly: false,
        });
        for (let i = 0; i < n; i++) h.recordValue(micros[i & MASK]);
      },
      { iterations: N, runs: 3 },
    ),
  );
  costs.clock.push(
    timed(
      (n) => {
        let sink = 0;
        for (let i = 0; i < n; i++) sink += nanotime();
        if (sink === 0) process.stdout.write('');
      },
      { iterations: N, runs: 3 },
    ),
  );
}
const of = (k, kind) => costs[k].map((t) => t[kind]);
const c = Object.fromEntries(Object.keys(costs).map((k) => [k, median(of(k, 'wall'))]));
const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${fmt(median(sorted))} (${fmt(sorted[0])}–${fmt(sorted.at(-1))})`;
};
// Each round's time over hdr's in the same round: the load of the moment cancels out.
const vsHdr = (k, kind) => spread(of(k, kind).map((ns, i) => ns / costs.hdr[i][kind]));
const row = (label, k, tdigest = `${fmt(c.tdigest / c[k])}× faster`) => [
  label,
  spread(of(k, 'wall')),
  k === 'hdr' ? '1' : vsHdr(k, 'wall'),
  spread(of(k, 'cpu')),
  k === 'hdr' ? '1' : vsHdr(k, 'cpu'),
  tdigest,
];
table(
  [
    `operation (2^20 adds over 2^20 lognormal points; tdigest 2^18, Markov 2^18 transitions; ${ROUNDS} interleaved rounds)`,
    'ns/point, median (range)',
    '× `hdr.recordValue` time, same round',
    'CPU ns/point',
    'CPU × hdr',
    'vs tdigest.push',
  ],
  [
    row('`Stats.add`, defaults (moments, quantiles, buckets, recent, top, windows)', 'stats'),
    row('`Stats.add`, no time features (no windows/recent/top)', 'lean'),
    row('`Stats.add` with `interval: true` (a precise clock read per add)', 'withInterval'),
    row('`Duration.end(nanotime() - 1000)` (two precise clock reads)', 'duration'),
    row('`Transitor.transition` (4 statistics, one precise clock read)', 'markov', ''),
    row('`tdigest.push` (tdigest 0.1.3; 2^18 adds a run)', 'tdigest', '1×'),
    row('`hdr.recordValue` (hdr-histogram-js 3, JS, 3 digits)', 'hdr'),
    row('`nanotime()` alone (the precise clock)', 'clock', ''),
  ],
);

// --- quantile accuracy ------------------------------------------------------
const rows = [];
for (const kind of ['uniform', 'lognormal', 'bimodal']) {
  const data = stream(kind, STREAM_N, 42);
  const sorted = Float64Array.from(data).sort();
  const whole = new Stats({ interval: false });
  const shards = Array.from({ length: 8 }, () => new Stats({ interval: false }));
  const td = new TDigest();
  for (let i = 0; i < STREAM_N; i++) {
    whole.add(data[i]);
    shards[i % 8].add(data[i]);
    td.push(data[i]);
  }
  const merged = Stats.merge(...shards.map((s) => JSON.parse(JSON.stringify(s.snapshot()))));
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = exactQuantile(sorted, q);
    const err = (v) => `${fmt((100 * Math.abs(v - exact)) / exact, 2)}%`;
    rows.push([
      kind,
      `p${q * 100}`,
      fmt(exact, 5),
      err(whole.quantile(q)),
      err(merged.quantile(q)),
      err(td.percentile(q)),
    ]);
  }
}
process.stdout.write('Relative error of quantiles on 1e6-point streams (target < 1%):\n\n');
table(['stream', 'quantile', 'exact', 'Stats', 'Stats merged from 8 shards', 'tdigest'], rows);

// --- HyperLogLog and heavy hitters -----------------------------------------------
const keys = Array.from(
  { length: N },
  (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
);
const hllRows = [];
for (const n of [1e3, 1e4, 1e5, 1e6]) {
  const h = new HyperLogLog();
  for (let i = 0; i < n; i++) h.add(keys[i]);
  hllRows.push([fmt(n), fmt(h.cardinality(), 7), `${fmt((100 * (h.cardinality() - n)) / n, 2)}%`]);
}
const hllNs = nsPerOp(
  (n) => {
    const h = new HyperLogLog();
    for (let i = 0; i < n; i++) h.add(keys[i & MASK]);
  },
  { iterations: N },
);
const hhNs = nsPerOp(
  (n) => {
    const h = new HeavyHitters({ epsilon: 0.001 });
    for (let i = 0; i < n; i++) h.add(keys[(i * 7919) % 5000]);
  },
  { iterations: N },
);
process.stdout.write('HyperLogLog (precision 14, 16 KiB) on IPv4-address strings:\n\n');
table(['distinct', 'estimate', 'error'], hllRows);
table(
  ['operation', 'ns/item (median)'],
  [
    ['`HyperLogLog.add` (13-15 char strings)', fmt(hllNs)],
    ['`HeavyHitters.add` (epsilon 0.001, 5000 keys)', fmt(hhNs)],
  ],
);

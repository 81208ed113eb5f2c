import { describe, expect, it } from 'vitest';
import { Duration, FaststatErrorCode, Stats, type StatsSnapshot } from '../src/index.js';
import { type Distribution, exactQuantile, fakeClock, stream } from './random.js';

const N = 1_000_000;
const SHARDS = 8;

function shardSnapshots(data: Float64Array): StatsSnapshot[] {
  const shards = Array.from({ length: SHARDS }, () => new Stats());
  data.forEach((x, i) => {
    shards[i % SHARDS]!.add(x);
  });
  // Through JSON, as they would travel between processes.
  return shards.map((s) => JSON.parse(JSON.stringify(s.snapshot())) as StatsSnapshot);
}

describe.each<Distribution>(['uniform', 'lognormal', 'bimodal'])(
  'quantiles of 1e6 %s points',
  (kind) => {
    const data = stream(kind, N, 42);
    const sorted = Float64Array.from(data).sort();
    const whole = new Stats();
    for (const x of data) whole.add(x);
    const shards = shardSnapshots(data);

    it.each([0.5, 0.95, 0.99])(
      'q=%s is within 1 percent of the exact value, whole and merged from 8 shards',
      (q) => {
        const exact = exactQuantile(sorted, q);
        expect(Math.abs(whole.quantile(q) - exact) / exact).toBeLessThan(0.01);
        const merged = Stats.merge(...shards);
        expect(Math.abs(merged.quantile(q) - exact) / exact).toBeLessThan(0.01);
      },
    );

    it('merges n, mean, variance, min, max and buckets exactly', () => {
      const merged = Stats.merge(...shards);
      expect(merged.n).toBe(whole.n);
      expect(merged.min).toBe(whole.min);
      expect(merged.max).toBe(whole.max);
      expect(merged.mean).toBeCloseTo(whole.mean, 9);
      expect(merged.variance / whole.variance).toBeCloseTo(1, 9);
      expect(merged.skewness).toBeCloseTo(whole.skewness, 6);
      expect(merged.kurtosis).toBeCloseTo(whole.kurtosis, 6);
      expect(merged.geometricMean / whole.geometricMean).toBeCloseTo(1, 9);
      expect(merged.buckets).toEqual(whole.buckets);
      for (const q of [0.01, 0.25, 0.5, 0.75, 0.999])
        expect(merged.quantile(q)).toBe(whole.quantile(q));
    });
  },
);

describe('merge', () => {
  const parts = [
    stream('lognormal', 3000, 1),
    stream('uniform', 2000, 2),
    stream('bimodal', 1000, 3),
  ];
  const stats = parts.map((p) => {
    const s = new Stats({ interval: true });
    for (const x of p) s.add(x);
    return s;
  });

  it('is associative and commutative', () => {
    const [a, b, c] = stats as [Stats, Stats, Stats];
    const left = Stats.merge(Stats.merge(a, b), c);
    const right = Stats.merge(a, Stats.merge(b, c));
    const swapped = Stats.merge(c, a, b);
    for (const m of [right, swapped]) {
      expect(m.n).toBe(left.n);
      expect(m.mean).toBeCloseTo(left.mean, 9);
      expect(m.variance).toBeCloseTo(left.variance, 6);
      expect(m.kurtosis).toBeCloseTo(left.kurtosis, 9);
      expect(m.buckets).toEqual(left.buckets);
      expect(m.quantile(0.9)).toBe(left.quantile(0.9));
      expect(m.min).toBe(left.min);
      expect(m.max).toBe(left.max);
    }
  });

  it('round-trips a snapshot through fromSnapshot', () => {
    const s = stats[0]!;
    const copy = Stats.fromSnapshot(JSON.parse(JSON.stringify(s.snapshot())));
    expect(copy.snapshot().moments).toEqual(s.snapshot().moments);
    expect(copy.quantile(0.5)).toBe(s.quantile(0.5));
    expect(copy.recent.map((p) => p.value)).toEqual(s.recent.map((p) => p.value));
    expect(copy.top.map((p) => p.value)).toEqual(s.top.map((p) => p.value));
    expect(copy.interval!.n).toBe(s.interval!.n);
  });

  it('keeps the newest recent points and the largest top points of both sides', () => {
    const c = fakeClock(1e12);
    const a = new Stats({ clock: c.clock, recentSize: 3, topSize: 2 });
    const b = new Stats({ clock: c.clock, recentSize: 3, topSize: 2 });
    for (const [target, x] of [
      [a, 1],
      [b, 2],
      [a, 30],
      [b, 4],
      [a, 5],
      [b, 60],
    ] as const) {
      c.advance(1);
      target.add(x);
    }
    a.merge(b);
    expect(a.recent.map((p) => p.value)).toEqual([4, 5, 60]);
    expect(a.top.map((p) => p.value)).toEqual([60, 30]);
  });

  it('adds window counts slot by slot', () => {
    const c = fakeClock();
    const opts = { clock: c.clock, epochOriginMs: 0 };
    const a = new Stats(opts);
    const b = new Stats(opts);
    a.add(1);
    c.advance(60_000);
    b.add(1);
    b.add(1);
    a.merge(b);
    expect(a.windowCounts!.perMinute.slice(-2)).toEqual([1, 2]);
  });

  it('carries duration counters and rejects incompatible or malformed snapshots', () => {
    const d = new Duration();
    d.add(5);
    d.add(-1);
    const merged = new Duration().merge(d.snapshot());
    expect(merged.negative).toBe(1);
    expect(merged.snapshot().type).toBe('duration');
    const coarse = new Stats({ relativeAccuracy: 0.02 });
    coarse.add(1);
    expect(() => new Stats().merge(coarse)).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INCOMPATIBLE }),
    );
    expect(() => Stats.fromSnapshot({ type: 'nope' } as never)).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_SNAPSHOT }),
    );
    expect(() => Stats.fromSnapshot({ ...d.snapshot(), buckets: [1] })).toThrow(
      /buckets must be an array of \d+ items/,
    );
  });
});

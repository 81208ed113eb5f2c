import { describe, expect, it } from 'vitest';
import {
  BUCKET_BOUNDS,
  FaststatErrorCode,
  HeavyHitters,
  HyperLogLog,
  Markov,
  nanotime,
  Stats,
  StreamSketch,
} from '../src/index.js';
import { fakeClock } from './random.js';

const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];

/** The statistics of xs computed directly from their definitions. */
function reference(values: number[]) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const m = (k: number) => values.reduce((a, x) => a + (x - mean) ** k, 0);
  const m2 = m(2);
  return {
    n,
    mean,
    variance: m2 / n,
    skewness: (Math.sqrt(n) * m(3)) / m2 ** 1.5,
    kurtosis: (n * m(4)) / (m2 * m2) - 3,
    geometricMean: Math.exp(values.reduce((a, x) => a + Math.log(x), 0) / n),
    harmonicMean: n / values.reduce((a, x) => a + 1 / x, 0),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

describe('Stats', () => {
  it('computes moments and means exactly on a small stream', () => {
    const s = new Stats();
    for (const x of xs) s.add(x);
    const ref = reference(xs);
    expect(s.n).toBe(ref.n);
    expect(s.min).toBe(ref.min);
    expect(s.max).toBe(ref.max);
    for (const key of [
      'mean',
      'variance',
      'skewness',
      'kurtosis',
      'geometricMean',
      'harmonicMean',
    ] as const) {
      expect(s[key], key).toBeCloseTo(ref[key], 12);
    }
    expect(s.stddev).toBeCloseTo(Math.sqrt(ref.variance), 12);
  });

  it('answers quantiles within the relative accuracy of the nearest-rank value', () => {
    const s = new Stats();
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) * 1.5);
    for (const x of values) s.add(x);
    for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
      const exact = values[Math.max(0, Math.ceil(q * values.length) - 1)]!;
      expect(Math.abs(s.quantile(q) - exact) / exact, `q=${q}`).toBeLessThanOrEqual(0.005);
    }
    expect(s.quantile(0)).toBe(1.5);
    expect(s.quantile(1)).toBe(1500);
    const p = s.percentiles;
    expect(p.map((e) => e.q)).toEqual([0.25, 0.5, 0.75, 0.9, 0.95, 0.99]);
    expect(s.trimean).toBeCloseTo(
      (s.quantile(0.25) + 2 * s.quantile(0.5) + s.quantile(0.75)) / 4,
      12,
    );
  });

  it('uses the nearest rank, sorted[ceil(q·n) − 1], so few samples never under-report a tail', () => {
    const two = new Stats();
    two.add(512);
    two.add(2048);
    expect(two.quantile(0.99)).toBe(2048);
    expect(two.quantile(0.5)).toBe(512);
    expect(two.quantile(0)).toBe(512);
    const hundred = new Stats();
    for (let i = 1; i <= 100; i++) hundred.add(i);
    expect(Math.abs(hundred.quantile(0.95) - 95)).toBeLessThanOrEqual(95 * 0.005);
    expect(Math.abs(hundred.quantile(0.951) - 96)).toBeLessThanOrEqual(96 * 0.005);
    // 0.07 × 100 is 7.000000000000001 in floating point: still rank 7.
    expect(Math.abs(hundred.quantile(0.07) - 7)).toBeLessThanOrEqual(7 * 0.005);
  });

  it('keeps the accuracy it promises with the binary mapping', () => {
    const s = new Stats({ mapping: 'binary', relativeAccuracy: 0.01 });
    const values = Array.from({ length: 5000 }, (_, i) => 0.001 * 1.003 ** i);
    for (const x of values) s.add(x);
    for (const q of [0.01, 0.1, 0.5, 0.9, 0.99]) {
      const exact = values[Math.max(0, Math.ceil(q * values.length) - 1)]!;
      expect(Math.abs(s.quantile(q) - exact) / exact, `q=${q}`).toBeLessThanOrEqual(1 / 128);
    }
    expect(s.snapshot().sketch.mapping).toBe('binary');
    expect(() => new Stats({ mapping: 'cubic' as never })).toThrow(
      "options.mapping must be 'log' or 'binary'",
    );
  });

  it('handles negative values and zero in quantiles and means', () => {
    const s = new Stats();
    for (const x of [-10, -5, 0, 0, 5, 10]) s.add(x);
    expect(s.mean).toBe(0);
    expect(s.quantile(0)).toBe(-10);
    expect(s.quantile(0.4)).toBe(0);
    expect(Math.abs(s.quantile(0.2) + 5)).toBeLessThan(0.05);
    expect(s.geometricMean).toBeNaN();
    expect(s.harmonicMean).toBeNaN();
  });

  it('counts non-finite values apart and rejects non-numbers', () => {
    const s = new Stats();
    s.add(1);
    s.add(Number.NaN);
    s.add(Number.POSITIVE_INFINITY);
    s.add(Number.NEGATIVE_INFINITY);
    expect(s.n).toBe(1);
    expect(s.nonFinite).toBe(3);
    expect(s.mean).toBe(1);
    expect(() => s.add('3' as unknown as number)).toThrow(
      expect.objectContaining({
        name: 'FaststatTypeError',
        code: FaststatErrorCode.INVALID_ARGUMENT,
      }),
    );
    expect(() => s.add('3' as unknown as number)).toThrow(/expects a number, got string/);
    expect(() => s.quantile(2)).toThrow(/q in \[0, 1\]/);
  });

  it('reads NaN for every statistic of an empty Stats', () => {
    const s = new Stats();
    for (const v of [s.mean, s.min, s.max, s.variance, s.skewness, s.kurtosis, s.quantile(0.5)]) {
      expect(v).toBeNaN();
    }
    expect(s.n).toBe(0);
    expect(s.recent).toEqual([]);
    expect(s.windowMedian).toBeNaN();
    expect(s.snapshot().min).toBeNull();
  });

  it('validates options and names the bad one', () => {
    expect(() => new Stats({ recentSize: -1 })).toThrow('options.recentSize must be an integer');
    expect(() => new Stats({ relativeAccuracy: 2 })).toThrow('options.relativeAccuracy');
    expect(() => new Stats({ percentiles: [0.5, 1.5] })).toThrow('options.percentiles[1]');
    expect(() => new Stats({ bogus: 1 } as never)).toThrow('options.bogus is not a Stats option');
    expect(() => new Stats({ clock: 5 } as never)).toThrow('options.clock must be a function');
  });

  it('rejects a misspelt option of every constructor and suggests the closest known one', () => {
    expect(() => new Stats({ recentSise: 5 } as never)).toThrow(
      /options\.recentSise is not a Stats option; did you mean "recentSize"\? \(known: .*topSize/,
    );
    expect(() => new HeavyHitters({ epsilom: 0.1 } as never)).toThrow(
      'options.epsilom is not a HeavyHitters option; did you mean "epsilon"?',
    );
    expect(() => new HyperLogLog({ precison: 10 } as never)).toThrow(/did you mean "precision"/);
    expect(() => new StreamSketch({ epsilon: 0.1, precission: 10 } as never)).toThrow(
      /StreamSketch option; did you mean "precision"/,
    );
    expect(() => new Markov({ clok: nanotime } as never)).toThrow(/did you mean "clock"/);
    expect(() => new Markov({ statsOptions: { recentSize: 1, topSzie: 1 } } as never)).toThrow(
      /did you mean "topSize"/,
    );
    expect(() => new Stats(null as never)).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_FASTSTAT_INVALID_ARGUMENT' }),
    );
  });

  it('counts 1-2-5 buckets by inclusive upper bound, exactly at the bounds', () => {
    const s = new Stats();
    for (const x of [1, 1.0000001, 2, 5, 5.0001, 10, 0, -3, 1e-12, 2e12]) s.add(x);
    const { bounds, counts, overflow } = s.buckets;
    const at = (bound: number) => counts[bounds.indexOf(bound)];
    expect(at(1)).toBe(1);
    expect(at(2)).toBe(2); // 1.0000001 and 2
    expect(at(5)).toBe(1);
    expect(at(10)).toBe(2); // 5.0001 and 10
    expect(counts[0]).toBe(3); // 0, -3, 1e-12
    expect(overflow).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0) + overflow).toBe(s.n);
    expect(bounds.length).toBe(BUCKET_BOUNDS.length);
  });

  it('puts random values in the bucket a linear search finds', () => {
    const s = new Stats();
    const expected = new Array(BUCKET_BOUNDS.length + 1).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const x = 10 ** (Math.random() * 24 - 10) * (Math.random() < 0.01 ? 2 : 1);
      s.add(x);
      let k = 0;
      while (k < BUCKET_BOUNDS.length && x > BUCKET_BOUNDS[k]!) k++;
      expected[k]++;
    }
    const { counts, overflow } = s.buckets;
    expect([...counts, overflow]).toEqual(expected);
  });

  it('keeps recent and top points with their times', () => {
    const c = fakeClock(1e9);
    const s = new Stats({ clock: c.clock, recentSize: 4, topSize: 2 });
    for (const x of [5, 1, 9, 3, 7, 2]) {
      c.advance(1);
      s.add(x);
    }
    expect(s.recent.map((p) => p.value)).toEqual([9, 3, 7, 2]);
    expect(s.recent.map((p) => p.time)).toEqual([1.003e9, 1.004e9, 1.005e9, 1.006e9]);
    expect(s.top).toEqual([
      { value: 9, time: 1.003e9 },
      { value: 7, time: 1.005e9 },
    ]);
    expect(s.lastTime).toBe(1.006e9);
    expect(s.maxTime).toBe(1.003e9);
    expect(s.minTime).toBe(1.002e9);
    expect(s.windowMedian).toBe(5); // median of 9, 3, 7, 2
    expect(s.lagAvgs).toEqual([
      { lag: 2, value: 4.5 },
      { lag: 4, value: 5.25 },
    ]);
  });

  it('updates exponential averages with rates 1/2 … 1/64', () => {
    const s = new Stats();
    const values = [10, 20, 30, 40];
    for (const x of values) s.add(x);
    for (const { rate, value } of s.expoAvgs) {
      let e = values[0]!;
      for (const x of values.slice(1)) e += (x - e) * rate;
      expect(value).toBeCloseTo(e, 12);
    }
  });

  it('keeps the time between adds as a Stats in milliseconds', () => {
    const c = fakeClock();
    const s = new Stats({ clock: c.clock, interval: true });
    for (const gap of [0, 10, 20, 30]) {
      c.advance(gap);
      s.add(1);
    }
    const interval = s.interval!;
    expect(interval.n).toBe(3);
    expect(interval.mean).toBeCloseTo(20, 12);
    expect(interval.min).toBe(10);
    expect(interval.max).toBe(30);
    expect(new Stats().interval).toBeUndefined();
  });

  it('counts points per minute and per hour on a fake clock', () => {
    const c = fakeClock();
    const s = new Stats({ clock: c.clock, epochOriginMs: 0 });
    for (let minute = 0; minute < 70; minute++) {
      for (let k = 0; k <= minute % 3; k++) s.add(1);
      c.advance(60_000);
    }
    c.advance(-60_000); // read as of minute 69
    const w = s.windowCounts!;
    expect(w.minute).toBe(69);
    expect(w.perMinute).toHaveLength(64);
    // The last slot is minute 69 (69 % 3 = 0 → 1 point), oldest is minute 6.
    expect(w.perMinute.at(-1)).toBe(1);
    expect(w.perMinute[0]).toBe((6 % 3) + 1);
    expect(w.perHour.at(-1)).toBe(s.n - w.perHour.at(-2)!);
    expect(w.perHour.reduce((a, b) => a + b, 0)).toBe(s.n);
    // Two idle hours later the minutes are empty and the hours shifted.
    c.advance(120 * 60_000);
    const later = s.windowCounts!;
    expect(later.perMinute.every((x) => x === 0)).toBe(true);
    expect(later.perHour.reduce((a, b) => a + b, 0)).toBe(s.n);
    expect(later.perHour.at(-1)).toBe(0);
  });

  it('stays within 16 KiB with defaults on a latency-like stream', () => {
    const s = new Stats();
    for (let i = 0; i < 100_000; i++) s.add(Math.exp(Math.random() * 8 - 2));
    expect(s.byteLength).toBeLessThanOrEqual(16 * 1024);
  });
});

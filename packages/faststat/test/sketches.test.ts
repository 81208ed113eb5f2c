import { describe, expect, it } from 'vitest';
import { FaststatErrorCode, HeavyHitters, HyperLogLog, StreamSketch } from '../src/index.js';
import { rng } from './random.js';

describe('HyperLogLog', () => {
  it.each([1e3, 1e4, 1e5, 1e6])('estimates %i distinct values within 2 percent', (n) => {
    const hll = new HyperLogLog();
    const key = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${i % 7}`;
    for (let i = 0; i < n; i++) hll.add(key(i));
    // Repeats change nothing.
    for (let i = 0; i < 1000; i++) hll.add(key(i));
    expect(Math.abs(hll.cardinality() - n) / n).toBeLessThan(0.02);
  });

  it('estimates numbers as items too, and is exact-ish when tiny', () => {
    const hll = new HyperLogLog();
    expect(hll.cardinality()).toBe(0);
    for (let i = 0; i < 50_000; i++) hll.add(i * 1.5);
    expect(Math.abs(hll.cardinality() - 50_000) / 50_000).toBeLessThan(0.02);
    const tiny = new HyperLogLog();
    for (const x of ['a', 'b', 'c', 'a']) tiny.add(x);
    expect(tiny.cardinality()).toBe(3);
  });

  it('merges shards into the union, through JSON snapshots', () => {
    const shards = Array.from({ length: 8 }, () => new HyperLogLog());
    const whole = new HyperLogLog();
    for (let i = 0; i < 200_000; i++) {
      // Overlapping shards: every value goes to two of them.
      shards[i % 8]!.add(`u${i}`);
      shards[(i + 3) % 8]!.add(`u${i}`);
      whole.add(`u${i}`);
    }
    const merged = new HyperLogLog();
    for (const s of shards) merged.merge(JSON.parse(JSON.stringify(s.snapshot())));
    expect(merged.cardinality()).toBe(whole.cardinality());
    expect(Math.abs(merged.cardinality() - 200_000) / 200_000).toBeLessThan(0.02);
  });

  it('rejects bad input', () => {
    expect(() => new HyperLogLog({ precision: 3 })).toThrow(
      'options.precision must be an integer in [4, 18]',
    );
    expect(() => new HyperLogLog().add({} as never)).toThrow(/string or number/);
    expect(() => new HyperLogLog().merge(new HyperLogLog({ precision: 10 }))).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INCOMPATIBLE }),
    );
    const snap = new HyperLogLog().snapshot();
    expect(() => HyperLogLog.fromSnapshot({ ...snap, registers: 'AAAA' })).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_SNAPSHOT }),
    );
  });
});

/** A skewed stream: item k has weight 1 / k^1.1 over 10 000 items. */
function zipf(n: number, seed: number): string[] {
  const random = rng(seed);
  const weights = Array.from({ length: 10_000 }, (_, k) => 1 / (k + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return Array.from({ length: n }, () => {
    const r = random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return `item-${lo}`;
  });
}

function trueCounts(items: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const x of items) counts.set(x, (counts.get(x) ?? 0) + 1);
  return counts;
}

describe('HeavyHitters', () => {
  const items = zipf(300_000, 11);
  const truth = trueCounts(items);

  it('reports every item above 0.5% frequency with valid bounds (epsilon 0.001)', () => {
    const hh = new HeavyHitters({ epsilon: 0.001 });
    for (const x of items) hh.add(x);
    const reported = new Set(hh.frequent(0.005).map((h) => h.item));
    const above = [...truth].filter(([, c]) => c > 0.005 * items.length);
    expect(above.length).toBeGreaterThan(5);
    for (const [item] of above) expect(reported.has(item), item).toBe(true);
    for (const h of hh.top(50)) {
      const real = truth.get(h.item as string)!;
      expect(h.count).toBeLessThanOrEqual(real);
      expect(h.count + h.error).toBeGreaterThanOrEqual(real);
      expect(real - h.count).toBeLessThanOrEqual(0.001 * items.length);
    }
    // Memory stays bounded: far fewer entries than distinct items.
    expect(hh.size).toBeLessThan(truth.size / 2);
  });

  it('merges shards with valid bounds', () => {
    const shards = [new HeavyHitters(), new HeavyHitters(), new HeavyHitters()];
    items.forEach((x, i) => {
      shards[i % 3]!.add(x);
    });
    const merged = HeavyHitters.fromSnapshot(JSON.parse(JSON.stringify(shards[0]!.snapshot())));
    merged.merge(shards[1]!).merge(shards[2]!.snapshot());
    expect(merged.n).toBe(items.length);
    for (const h of merged.top(20)) {
      const real = truth.get(h.item as string)!;
      expect(h.count).toBeLessThanOrEqual(real);
      expect(h.count + h.error).toBeGreaterThanOrEqual(real);
    }
    expect(merged.top(1)[0]!.item).toBe('item-0');
  });
});

describe('StreamSketch', () => {
  it('combines count, cardinality and top items, and merges', () => {
    const a = new StreamSketch();
    const b = new StreamSketch();
    for (let i = 0; i < 10_000; i++) {
      a.add(`10.0.${i % 500}.1`);
      b.add(i % 2 ? '10.0.0.1' : `10.1.${i % 300}.1`);
    }
    expect(a.n).toBe(10_000);
    expect(Math.abs(a.cardinality() - 500)).toBeLessThan(10);
    a.merge(JSON.parse(JSON.stringify(b.snapshot())));
    expect(a.n).toBe(20_000);
    // 500 from a; b adds 150 new ones (even i) and one a already had.
    expect(Math.abs(a.cardinality() - 650) / 650).toBeLessThan(0.02);
    expect(a.top(1)[0]!.item).toBe('10.0.0.1');
    const copy = StreamSketch.fromSnapshot(a.snapshot());
    expect(copy.cardinality()).toBe(a.cardinality());
    expect(copy.snapshot().type).toBe('streamsketch');
  });
});

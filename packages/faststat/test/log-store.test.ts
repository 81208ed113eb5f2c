import { describe, expect, it } from 'vitest';
import { Stats } from '../src/index.js';

describe('a full sketch window', () => {
  it('collapses lower values into its lowest bin as a reshape would, in any order', () => {
    // 16 bins at α = 5% span a ratio of ≈ 5: 1 … 100 fall below 9e5 and 1e6.
    const options = { maxBins: 16, relativeAccuracy: 0.05, clock: () => 0 };
    const lows = Array.from({ length: 500 }, (_, i) => 1 + (i % 100));
    const highFirst = new Stats(options);
    highFirst.add(1e6);
    highFirst.add(9e5);
    for (const x of lows) highFirst.add(x);
    const lowsFirst = new Stats(options);
    for (const x of lows) lowsFirst.add(x);
    lowsFirst.add(1e6);
    lowsFirst.add(9e5);
    const sketch = highFirst.snapshot().sketch;
    expect(sketch.positive.counts).toHaveLength(16);
    expect(sketch.positive.counts[0]).toBe(500);
    expect(sketch).toEqual(lowsFirst.snapshot().sketch);
    expect(highFirst.quantile(0.5)).toBe(lowsFirst.quantile(0.5));
    expect(highFirst.quantile(1)).toBe(1e6);
  });
});

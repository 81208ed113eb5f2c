import { rng } from '@support-tools/test-utils';
import { describe, expect, it } from 'vitest';
import { AddressGroup, InvalidOptionError, parseAddress } from '../src/index.js';

describe('AddressGroup', () => {
  it('orders a tier by weight: P(first) = w / sum, and P(a pair first) follows sampling without replacement', () => {
    const group = new AddressGroup([
      [
        [1, 'a:1'],
        [2, 'b:1'],
        [3, 'c:1'],
        [4, 'd:1'],
      ],
    ]);
    // Seeded, so the proportions below are reproducible.
    const random = rng(42);
    const N = 40_000;
    const first = new Map<string, number>();
    let dThenC = 0;
    for (let i = 0; i < N; i++) {
      const order = group.order(random).map((a) => a.host);
      first.set(order[0]!, (first.get(order[0]!) ?? 0) + 1);
      if (order[0] === 'd' && order[1] === 'c') dThenC++;
      expect(new Set(order).size).toBe(4);
    }
    for (const [host, weight] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ] as const) {
      expect(first.get(host)! / N).toBeCloseTo(weight / 10, 1);
      expect(Math.abs(first.get(host)! / N - weight / 10)).toBeLessThan(0.015);
    }
    // P(d, then c) = 4/10 * 3/6 = 0.2
    expect(Math.abs(dThenC / N - 0.2)).toBeLessThan(0.015);
  });

  it('keeps tiers in order and puts weight 0 last in its tier', () => {
    const group = new AddressGroup([
      [
        [0, 'zero:1'],
        [1, 'one:1'],
      ],
      [[5, 'fallback:1']],
    ]);
    for (let i = 0; i < 50; i++) {
      expect(group.order().map((a) => a.host)).toEqual(['one', 'zero', 'fallback']);
    }
    expect(group.size).toBe(3);
    expect(group.toJSON()[1]).toEqual([{ weight: 5, address: 'fallback:1' }]);
  });

  it('validates tiers and addresses', () => {
    expect(() => new AddressGroup([])).toThrow(InvalidOptionError);
    expect(() => new AddressGroup([[]])).toThrow(/tier 0/);
    expect(() => new AddressGroup([[[-1, 'a:1']]])).toThrow(/weight/);
    expect(() => new AddressGroup([[[1, 'no-port']]])).toThrow(/host:port/);
    expect(() => new AddressGroup([[[1, { host: 'a', port: 70_000 }]]])).toThrow(/port/);
  });

  it('parses host:port and [v6]:port', () => {
    expect(parseAddress('example.com:443')).toEqual({ host: 'example.com', port: 443 });
    expect(parseAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseAddress('::1:8080')).toBeUndefined();
    expect(parseAddress('host:0')).toBeUndefined();
    expect(parseAddress('[nothex]:1')).toBeUndefined();
  });
});

import { normal, rng } from '@support-tools/test-utils';

/** Deterministic random streams for the tests. */
export { normal, rng };

export type Distribution = 'uniform' | 'lognormal' | 'bimodal';

/** n points of a named distribution, reproducibly. */
export function stream(kind: Distribution, n: number, seed = 1): Float64Array {
  const random = rng(seed);
  const gauss = normal(random);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') out[i] = random() * 1000;
    else if (kind === 'lognormal') out[i] = Math.exp(1 + gauss());
    // 70% fast responses around 5 ms, 30% slow ones around 200 ms.
    else out[i] = random() < 0.7 ? Math.max(0.01, 5 + gauss()) : Math.max(0.01, 200 + 30 * gauss());
  }
  return out;
}

/** The nearest-rank quantile of sorted data, as Stats.quantile defines it. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** A fake monotonic clock in nanoseconds. */
export function fakeClock(start = 0): {
  clock: () => number;
  advance(ms: number): void;
  now: number;
} {
  const state = {
    now: start,
    clock: () => state.now,
    advance(ms: number) {
      state.now += ms * 1e6;
    },
  };
  return state;
}

// Deterministic random numbers, so that a failing test or a benchmark run
// can be reproduced from its seed. Plain ESM: tests (TypeScript under vitest)
// and benchmarks (plain Node) both import it.

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform generator (Box-Muller). */
export function normal(random) {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * n points of a named distribution, reproducibly: `uniform` on [0, 1000),
 * `lognormal` (e^(1 + N(0,1))), or `bimodal` (latency-like: 70% around 5 ms,
 * 30% around 200 ms).
 */
export function sampleStream(kind, n, seed = 1) {
  const random = rng(seed);
  const gauss = normal(random);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') out[i] = random() * 1000;
    else if (kind === 'lognormal') out[i] = Math.exp(1 + gauss());
    else out[i] = random() < 0.7 ? Math.max(0.01, 5 + gauss()) : Math.max(0.01, 200 + 30 * gauss());
  }
  return out;
}

/** The nearest-rank quantile of sorted data: sorted[floor(q · (n − 1))]. */
export function exactQuantile(sorted, q) {
  return sorted[Math.floor(q * (sorted.length - 1))];
}
export { findProgram, programSkipReason } from './programs.mjs';

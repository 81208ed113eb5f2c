// Reproducible data for the benchmarks (the same generators as the tests).
import { normal, rng } from '@support-tools/test-utils';

export function stream(kind, n, seed = 1) {
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

export function exactQuantile(sorted, q) {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

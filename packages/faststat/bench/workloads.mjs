// Reproducible data for the benchmarks (the same generators as the tests).
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

export function stream(kind, n, seed = 1) {
  const random = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
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

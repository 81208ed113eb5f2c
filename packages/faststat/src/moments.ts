/** JSON form of {@link Moments}. */
export interface MomentsSnapshot {
  n: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
}

/**
 * Streaming central moments up to the fourth (Terriberry's update of
 * Welford's method), numerically stable for long streams, and their exact
 * pairwise combination (Pébay 2008) for merging shards.
 */
export class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  m3 = 0;
  m4 = 0;

  add(x: number): void {
    const n1 = this.n;
    const n = n1 + 1;
    this.n = n;
    const delta = x - this.mean;
    // 1/n does not depend on the running mean, so the CPU computes it off
    // the critical path; the chain through the mean then only multiplies.
    const inverseN = 1 / n;
    const deltaN = delta * inverseN;
    const deltaN2 = deltaN * deltaN;
    const term1 = delta * deltaN * n1;
    this.mean += deltaN;
    this.m4 += term1 * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * this.m2 - 4 * deltaN * this.m3;
    this.m3 += term1 * deltaN * (n - 2) - 3 * deltaN * this.m2;
    this.m2 += term1;
  }

  /** Population variance (divides by n); NaN when empty. */
  get variance(): number {
    return this.n > 0 ? this.m2 / this.n : Number.NaN;
  }

  /** Sample variance (divides by n - 1, Bessel's correction); NaN with fewer than 2 points. */
  get sampleVariance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : Number.NaN;
  }

  /** Sample skewness g1; NaN with fewer than 2 points or no spread. */
  get skewness(): number {
    return this.n > 1 && this.m2 > 0 ? (Math.sqrt(this.n) * this.m3) / this.m2 ** 1.5 : Number.NaN;
  }

  /** Excess kurtosis g2 (0 for a normal distribution); NaN as skewness. */
  get kurtosis(): number {
    return this.n > 1 && this.m2 > 0 ? (this.n * this.m4) / (this.m2 * this.m2) - 3 : Number.NaN;
  }

  merge(b: MomentsSnapshot): void {
    const na = this.n;
    const nb = b.n;
    if (nb === 0) return;
    if (na === 0) {
      this.restore(b);
      return;
    }
    const n = na + nb;
    const delta = b.mean - this.mean;
    const d2 = delta * delta;
    const { m2: m2a, m3: m3a, m4: m4a } = this;
    this.mean = this.mean + (delta * nb) / n;
    this.m2 = m2a + b.m2 + (d2 * na * nb) / n;
    // m4 is a sum of fourth powers: a negative value can only be rounding.
    this.m3 =
      m3a +
      b.m3 +
      (d2 * delta * na * nb * (na - nb)) / (n * n) +
      (3 * delta * (na * b.m2 - nb * m2a)) / n;
    this.m4 =
      m4a +
      b.m4 +
      (d2 * d2 * na * nb * (na * na - na * nb + nb * nb)) / (n * n * n) +
      (6 * d2 * (na * na * b.m2 + nb * nb * m2a)) / (n * n) +
      (4 * delta * (na * b.m3 - nb * m3a)) / n;
    if (this.m4 < 0) this.m4 = 0;
    this.n = n;
  }

  restore(s: MomentsSnapshot): void {
    this.n = s.n;
    this.mean = s.mean;
    this.m2 = s.m2;
    this.m3 = s.m3;
    this.m4 = s.m4;
  }

  snapshot(): MomentsSnapshot {
    return { n: this.n, mean: this.mean, m2: this.m2, m3: this.m3, m4: this.m4 };
  }
}

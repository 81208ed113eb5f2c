/**
 * Maps values x > 0 to integer sketch keys: key k covers (γ^(k-1), γ^k] with
 * γ = (1 + α) / (1 - α), so the value 2γ^k / (γ + 1) is within α (relative)
 * of every value in it. (A cubic approximation of log2 from the float's bits,
 * as DDSketch offers, measured no faster than Math.log in V8: the typed-array
 * round trip it needs costs as much as the libm call.)
 */
export class KeyMapping {
  readonly relativeAccuracy: number;
  readonly gamma: number;
  /** 1 / ln(γ): multiplies ln(x) into a key. */
  readonly scale: number;

  constructor(relativeAccuracy: number) {
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.scale = 1 / Math.log(this.gamma);
  }

  /** Key of x > 0 given ln(x). */
  keyOfLog(lnx: number): number {
    // `| 0` keeps keys small integers (no -0), which V8 indexes fastest.
    return Math.ceil(lnx * this.scale) | 0;
  }

  /** Key of x > 0. */
  key(x: number): number {
    return Math.ceil(Math.log(x) * this.scale) | 0;
  }

  /** The value of least relative error over key k's range: within α of all of it. */
  value(key: number): number {
    return (2 * this.gamma ** key) / (this.gamma + 1);
  }
}

/**
 * How a sketch turns a value x > 0 into an integer key. Every key covers a
 * range narrow enough that one representative value is within the relative
 * accuracy α of all of it.
 */
export interface KeyMapping {
  readonly kind: MappingKind;
  /** The α this mapping guarantees (may be finer than the one asked for). */
  readonly relativeAccuracy: number;
  key(x: number): number;
  /** The value of least relative error over key k's range. */
  value(key: number): number;
}

/** `log`: ⌈ln x / ln γ⌉, the most compact; `binary`: the float's own bits, no logarithm. */
export type MappingKind = 'log' | 'binary';

export function createMapping(kind: MappingKind, relativeAccuracy: number): KeyMapping {
  return kind === 'binary' ? new BinaryMapping(relativeAccuracy) : new LogMapping(relativeAccuracy);
}

/**
 * Key k covers (γ^(k-1), γ^k] with γ = (1 + α) / (1 - α), so 2γ^k / (γ + 1)
 * is within α of every value in it (DDSketch's logarithmic mapping). Callers
 * that already have ln(x) pass it to {@link LogMapping.keyOfLog}.
 */
export class LogMapping implements KeyMapping {
  readonly kind = 'log';
  readonly relativeAccuracy: number;
  readonly gamma: number;
  /** 1 / ln(γ): multiplies ln(x) into a key. */
  readonly scale: number;

  constructor(relativeAccuracy: number) {
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.scale = 1 / Math.log(this.gamma);
  }

  keyOfLog(lnx: number): number {
    // `| 0` keeps keys small integers (no -0), which V8 indexes fastest.
    return Math.ceil(lnx * this.scale) | 0;
  }

  key(x: number): number {
    return Math.ceil(Math.log(x) * this.scale) | 0;
  }

  value(key: number): number {
    return (2 * this.gamma ** key) / (this.gamma + 1);
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the 32-bit word holding sign, exponent and top mantissa bits. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/**
 * Log-linear keys read straight from the IEEE 754 bits (as HDR histograms
 * do): the exponent and the top S bits of the significand, so each octave is
 * cut into 2^S equal parts. For x > 0 the high word grows with x, so the key
 * is monotonic, and it costs a store and a load instead of a libm call. The
 * widest key spans a ratio of 1 + 2^-S, so its harmonic midpoint is within
 * 2^-(S+1) of it: S = 6 gives 0.78%. It needs about 1.8× the keys of the log
 * mapping for the same accuracy, so it serves the lean interval statistics.
 */
export class BinaryMapping implements KeyMapping {
  readonly kind = 'binary';
  readonly relativeAccuracy: number;
  /** Right shift of the high word that keeps exponent + S significand bits. */
  readonly shift: number;

  constructor(relativeAccuracy: number) {
    const bits = Math.min(20, Math.max(1, Math.ceil(Math.log2(1 / relativeAccuracy)) - 1));
    this.shift = 20 - bits;
    this.relativeAccuracy = 2 ** -(bits + 1);
  }

  key(x: number): number {
    f64[0] = x;
    return u32[HI]! >>> this.shift;
  }

  value(key: number): number {
    const lower = this.lowerBound(key);
    const upper = this.lowerBound(key + 1);
    return (2 * lower * upper) / (lower + upper);
  }

  private lowerBound(key: number): number {
    u32[HI] = key << this.shift;
    u32[LO] = 0;
    return f64[0]!;
  }
}

import { BucketTable } from './buckets.js';
import { FaststatError, FaststatErrorCode } from './errors.js';
import {
  type BinaryMapping,
  createMapping,
  type KeyMapping,
  LogMapping,
  type MappingKind,
} from './key-mapping.js';
import { LogStore, type LogStoreSnapshot } from './log-store.js';
import { validateSketch } from './stats-validate.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** JSON form of a {@link LogSketch}. */
export interface LogSketchSnapshot {
  mapping: MappingKind;
  /** The accuracy asked for (the mapping may guarantee a finer one). */
  relativeAccuracy: number;
  maxBins: number;
  zero: number;
  positive: LogStoreSnapshot;
  negative: LogStoreSnapshot;
}

/**
 * A relative-error quantile sketch (the DDSketch method): value x > 0 falls in
 * a key whose range spans at most the ratio γ = (1 + α) / (1 - α) (see
 * key-mapping.ts), so the value returned for a rank is within α (relative)
 * of the true value at that rank, whatever the distribution. Merging adds
 * key counts, so a merge of shards answers exactly as one sketch of all data.
 */
export class LogSketch {
  readonly relativeAccuracy: number;
  readonly maxBins: number;
  readonly mapping: KeyMapping;
  /** For the log mapping: its scale, held here to save loads on the hot path. */
  private readonly logScale: number;
  /** For the binary mapping: its shift; -1 with the log mapping. */
  private readonly binaryShift: number;
  readonly positive: LogStore;
  readonly negative: LogStore;
  zero = 0;
  private readonly buckets: BucketTable;

  constructor(relativeAccuracy: number, maxBins: number, mapping: MappingKind = 'log') {
    this.relativeAccuracy = relativeAccuracy;
    this.maxBins = maxBins;
    this.mapping = createMapping(mapping, relativeAccuracy);
    this.logScale = this.mapping instanceof LogMapping ? this.mapping.scale : 0;
    this.binaryShift =
      this.mapping instanceof LogMapping ? -1 : (this.mapping as BinaryMapping).shift;
    this.buckets = BucketTable.for(this.mapping);
    this.positive = new LogStore(maxBins);
    this.negative = new LogStore(maxBins);
  }

  get count(): number {
    return this.positive.total + this.negative.total + this.zero;
  }

  /**
   * Adds x > 0 and returns its 1-2-5 bucket (see buckets.ts), found from the
   * same key. With the log mapping `lnx` must be ln(x) (the caller has it);
   * the binary mapping ignores it.
   */
  addPositive(x: number, lnx: number): number {
    let key: number;
    if (this.binaryShift < 0) key = Math.ceil(lnx * this.logScale) | 0;
    else {
      f64[0] = x;
      key = u32[HI]! >>> this.binaryShift;
    }
    this.positive.add(key, 1);
    return this.buckets.bucket(x, key);
  }

  /** True when `addPositive` does not need ln(x). */
  get needsLog(): boolean {
    return this.binaryShift < 0;
  }

  add(x: number): void {
    if (x > 0) this.positive.add(this.mapping.key(x), 1);
    else if (x < 0) this.negative.add(this.mapping.key(-x), 1);
    else this.zero++;
  }

  /**
   * The value at quantile q in [0, 1] by nearest rank (`sorted[ceil(q·n) − 1]`,
   * as HdrHistogram and Prometheus users expect: a tail quantile of few
   * samples is never below the sample at that rank), within
   * relativeAccuracy; NaN when empty.
   */
  quantile(q: number): number {
    const neg = this.negative.total;
    return this.quantileOf(q, neg + this.positive.total + this.zero, neg);
  }

  /** {@link LogSketch.quantile} of each q, the bins counted once for all. */
  quantiles(qs: readonly number[]): number[] {
    const neg = this.negative.total;
    const n = neg + this.positive.total + this.zero;
    const out: number[] = [];
    for (const q of qs) out.push(this.quantileOf(q, n, neg));
    return out;
  }

  /** The quantile q of n points, `neg` of them negative. */
  private quantileOf(q: number, n: number, neg: number): number {
    if (n === 0) return Number.NaN;
    // q·n one ulp above a whole number (0.95 × 100) counts as that number.
    const qn = q * n;
    const rank = Math.min(n - 1, Math.max(0, Math.ceil(qn - qn * 1e-12) - 1));
    if (rank < neg) return -this.valueOf(this.negative.keyAtRank(rank, false));
    if (rank < neg + this.zero) return 0;
    return this.valueOf(this.positive.keyAtRank(rank - neg - this.zero, true));
  }

  private valueOf(key: number): number {
    return this.mapping.value(key);
  }

  /** Throws SUP_ERR_FASTSTAT_INCOMPATIBLE unless a sketch like `other` can merge into this one. */
  checkCompatible(other: { relativeAccuracy: number; mapping: MappingKind | KeyMapping }): void {
    const kind = typeof other.mapping === 'string' ? other.mapping : other.mapping.kind;
    if (other.relativeAccuracy !== this.relativeAccuracy || kind !== this.mapping.kind) {
      throw new FaststatError(
        FaststatErrorCode.INCOMPATIBLE,
        `cannot merge a ${kind} sketch of relative accuracy ${other.relativeAccuracy} ` +
          `into a ${this.mapping.kind} sketch of relative accuracy ${this.relativeAccuracy}`,
      );
    }
  }

  merge(other: LogSketch): void {
    this.checkCompatible(other);
    this.positive.merge(other.positive);
    this.negative.merge(other.negative);
    this.zero += other.zero;
  }

  /**
   * Adds the data of a snapshot already checked by `validateSketch`, as
   * `merge(LogSketch.fromSnapshot(snap))` would, without building a sketch.
   */
  mergeChecked(snap: LogSketchSnapshot): void {
    this.checkCompatible(snap);
    this.positive.mergeChecked(snap.positive);
    this.negative.mergeChecked(snap.negative);
    this.zero += snap.zero;
  }

  snapshot(): LogSketchSnapshot {
    return {
      mapping: this.mapping.kind,
      relativeAccuracy: this.relativeAccuracy,
      maxBins: this.maxBins,
      zero: this.zero,
      positive: this.positive.snapshot(),
      negative: this.negative.snapshot(),
    };
  }

  /** A sketch of the snapshot's data; SUP_ERR_FASTSTAT_INVALID_SNAPSHOT naming the field if it is malformed. */
  static fromSnapshot(snap: LogSketchSnapshot): LogSketch {
    validateSketch('sketch', snap);
    const sketch = new LogSketch(snap.relativeAccuracy, snap.maxBins, snap.mapping);
    sketch.zero = snap.zero;
    sketch.positive.merge(LogStore.fromSnapshot(snap.positive, snap.maxBins));
    sketch.negative.merge(LogStore.fromSnapshot(snap.negative, snap.maxBins));
    return sketch;
  }

  get byteLength(): number {
    return this.positive.byteLength + this.negative.byteLength;
  }
}

import { BucketTable } from './buckets.js';
import { assertSnapshot, FaststatError, FaststatErrorCode } from './errors.js';
import { KeyMapping } from './key-mapping.js';
import { LogStore, type LogStoreSnapshot } from './log-store.js';

/** JSON form of a {@link LogSketch}. */
export interface LogSketchSnapshot {
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
  /** mapping.scale, held here to save a load on the hot path. */
  private readonly scale: number;
  readonly positive: LogStore;
  readonly negative: LogStore;
  zero = 0;
  private readonly buckets: BucketTable;

  constructor(relativeAccuracy: number, maxBins: number) {
    this.relativeAccuracy = relativeAccuracy;
    this.maxBins = maxBins;
    this.mapping = new KeyMapping(relativeAccuracy);
    this.scale = this.mapping.scale;
    this.buckets = BucketTable.for(this.mapping);
    this.positive = new LogStore(maxBins);
    this.negative = new LogStore(maxBins);
  }

  get count(): number {
    return this.positive.total + this.negative.total + this.zero;
  }

  /**
   * Adds x > 0 whose natural log the caller has, and returns its 1-2-5 bucket
   * (see buckets.ts), found from the same key.
   */
  addPositiveLog(x: number, lnx: number): number {
    const key = Math.ceil(lnx * this.scale) | 0;
    this.positive.add(key, 1);
    return this.buckets.bucket(x, key);
  }

  add(x: number): void {
    if (x > 0) this.positive.add(this.mapping.key(x), 1);
    else if (x < 0) this.negative.add(this.mapping.key(-x), 1);
    else this.zero++;
  }

  /** The value at quantile q in [0, 1], within relativeAccuracy; NaN when empty. */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const rank = Math.floor(q * (n - 1));
    const neg = this.negative.total;
    if (rank < neg) return -this.valueOf(this.negative.keyAtRank(rank, false));
    if (rank < neg + this.zero) return 0;
    return this.valueOf(this.positive.keyAtRank(rank - neg - this.zero, true));
  }

  private valueOf(key: number): number {
    return this.mapping.value(key);
  }

  merge(other: LogSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new FaststatError(
        FaststatErrorCode.INCOMPATIBLE,
        `cannot merge sketches of relative accuracy ${this.relativeAccuracy} and ${other.relativeAccuracy}`,
      );
    }
    this.positive.merge(other.positive);
    this.negative.merge(other.negative);
    this.zero += other.zero;
  }

  snapshot(): LogSketchSnapshot {
    return {
      relativeAccuracy: this.relativeAccuracy,
      maxBins: this.maxBins,
      zero: this.zero,
      positive: this.positive.snapshot(),
      negative: this.negative.snapshot(),
    };
  }

  static fromSnapshot(snap: LogSketchSnapshot): LogSketch {
    assertSnapshot(snap && typeof snap === 'object', 'sketch must be an object');
    assertSnapshot(
      snap.relativeAccuracy > 0 && snap.relativeAccuracy < 1,
      'sketch relativeAccuracy must be in (0, 1)',
    );
    assertSnapshot(Number.isInteger(snap.maxBins) && snap.maxBins > 0, 'sketch maxBins');
    assertSnapshot(Number.isFinite(snap.zero) && snap.zero >= 0, 'sketch zero count');
    const sketch = new LogSketch(snap.relativeAccuracy, snap.maxBins);
    sketch.zero = snap.zero;
    sketch.positive.merge(LogStore.fromSnapshot(snap.positive, snap.maxBins));
    sketch.negative.merge(LogStore.fromSnapshot(snap.negative, snap.maxBins));
    return sketch;
  }

  get byteLength(): number {
    return this.positive.byteLength + this.negative.byteLength;
  }
}

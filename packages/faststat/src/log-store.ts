import { assertSnapshot } from './errors.js';

/** JSON form of a {@link LogStore}: counts of consecutive keys from `offset`. */
export interface LogStoreSnapshot {
  offset: number;
  counts: number[];
}

const GROW_SLACK = 32;

/**
 * Counts per integer key over a contiguous window of at most `maxBins` keys,
 * allocated as the data needs it. When a key would stretch the window past
 * `maxBins`, the lowest keys are collapsed into the lowest kept bin, so the
 * accuracy of the low quantiles degrades first and the memory never grows.
 *
 * Counts start in a Uint32Array (4 bytes a bin) and move to a Float64Array
 * the first time a bin would pass 2^32 - 1.
 */
export class LogStore {
  counts: Uint32Array | Float64Array = new Uint32Array(0);
  /** The key of counts[0]. */
  offset = 0;
  /** One past the highest key used, relative to offset. */
  used = 0;
  readonly maxBins: number;

  constructor(maxBins: number) {
    this.maxBins = maxBins;
  }

  add(key: number, count: number): void {
    let i = key - this.offset;
    // A full window collapses every lower key into its lowest bin: without
    // this test each such add (an interval series spanning more octaves
    // than maxBins covers, all of its small gaps) went the slow way.
    if (i < 0 && this.used === this.maxBins) i = 0;
    if (i >= 0 && i < this.used) {
      const c = this.counts[i]! + count;
      if (c <= 0xffffffff) this.counts[i] = c;
      else this.setLarge(i, c);
    } else {
      this.addSlow(key, count);
    }
  }

  /** Points counted: summed on demand, since the hot path skips a running total. */
  get total(): number {
    let sum = 0;
    for (let i = 0; i < this.used; i++) sum += this.counts[i]!;
    return sum;
  }

  /** Count at or below which `rank` (0-based) falls; returns the key. */
  keyAtRank(rank: number, ascending: boolean): number {
    const counts = this.counts;
    let seen = 0;
    if (ascending) {
      for (let i = 0; i < this.used; i++) {
        seen += counts[i]!;
        if (seen > rank) return this.offset + i;
      }
      return this.offset + this.used - 1;
    }
    for (let i = this.used - 1; i >= 0; i--) {
      seen += counts[i]!;
      if (seen > rank) return this.offset + i;
    }
    return this.offset;
  }

  /** Calls fn(key, count) for every non-empty bin, ascending. */
  forEach(fn: (key: number, count: number) => void): void {
    for (let i = 0; i < this.used; i++) {
      const c = this.counts[i]!;
      if (c > 0) fn(this.offset + i, c);
    }
  }

  merge(other: LogStore): void {
    this.addAll(other.offset, other.counts, other.used);
  }

  /**
   * Adds the counts of a snapshot already checked (validateSketch: integer
   * offset, counts >= 0, at most the snapshot's maxBins of them) straight
   * from its array, as `merge(LogStore.fromSnapshot(snap))` would.
   */
  mergeChecked(snap: LogStoreSnapshot): void {
    this.addAll(snap.offset, snap.counts, snap.counts.length);
  }

  snapshot(): LogStoreSnapshot {
    let lo = 0;
    let hi = this.used;
    while (lo < hi && this.counts[lo] === 0) lo++;
    while (hi > lo && this.counts[hi - 1] === 0) hi--;
    // A plain loop: Array.from of a typed array goes through its iterator.
    const counts: number[] = new Array(hi - lo);
    for (let i = lo; i < hi; i++) counts[i - lo] = this.counts[i]!;
    return { offset: this.offset + lo, counts };
  }

  static fromSnapshot(snap: LogStoreSnapshot, maxBins: number): LogStore {
    assertSnapshot(
      snap && Number.isInteger(snap.offset) && Array.isArray(snap.counts),
      'log store needs an integer offset and a counts array',
    );
    const store = new LogStore(maxBins);
    for (const count of snap.counts)
      assertSnapshot(Number.isFinite(count) && count >= 0, 'log store counts must be >= 0');
    store.addAll(snap.offset, snap.counts, snap.counts.length);
    return store;
  }

  /**
   * Adds `counts[i]` at key `offset + i` for i < `length`: one reshape to the
   * window both cover (as `add` of each key would leave it), then plain adds,
   * so a merge allocates once instead of at every key outside the window.
   */
  private addAll(offset: number, counts: ArrayLike<number>, length: number): void {
    let lo = 0;
    let hi = length;
    while (lo < hi && !(counts[lo]! > 0)) lo++;
    while (hi > lo && !(counts[hi - 1]! > 0)) hi--;
    if (lo === hi) return;
    let lowKey = offset + lo;
    let highKey = offset + hi - 1;
    if (this.used > 0) {
      lowKey = Math.min(lowKey, this.offset);
      highKey = Math.max(highKey, this.offset + this.used - 1);
    }
    // Keep the highest maxBins keys; everything lower lands in the lowest bin.
    if (highKey - lowKey + 1 > this.maxBins) lowKey = highKey - this.maxBins + 1;
    this.reshape(lowKey, highKey);
    for (let i = lo; i < hi; i++) {
      const count = counts[i]!;
      if (!(count > 0)) continue;
      const j = Math.max(offset + i, lowKey) - this.offset;
      const c = this.counts[j]! + count;
      if (c <= 0xffffffff) this.counts[j] = c;
      else this.setLarge(j, c);
    }
  }

  /** Bytes held by the counts array. */
  get byteLength(): number {
    return this.counts.byteLength;
  }

  /** A count past 2^32 - 1: move to a Float64Array once, then store as is. */
  private setLarge(i: number, value: number): void {
    if (!(this.counts instanceof Float64Array)) this.counts = Float64Array.from(this.counts);
    this.counts[i] = value;
  }

  private addSlow(key: number, count: number): void {
    let lowKey = this.used === 0 ? key : Math.min(key, this.offset);
    const highKey = this.used === 0 ? key : Math.max(key, this.offset + this.used - 1);
    // Keep the highest maxBins keys; everything lower lands in the lowest bin.
    if (highKey - lowKey + 1 > this.maxBins) lowKey = highKey - this.maxBins + 1;
    this.reshape(lowKey, highKey);
    const i = Math.max(key, lowKey) - this.offset;
    const c = this.counts[i]! + count;
    if (c <= 0xffffffff) this.counts[i] = c;
    else this.setLarge(i, c);
  }

  /** Makes the window cover [lowKey, highKey], collapsing keys below lowKey. */
  private reshape(lowKey: number, highKey: number): void {
    const old = this.counts;
    if (this.used > 0 && lowKey >= this.offset && highKey < this.offset + old.length) {
      this.used = Math.max(this.used, highKey - this.offset + 1);
      return;
    }
    const span = highKey - lowKey + 1;
    const capacity = Math.min(this.maxBins, Math.max(span + GROW_SLACK, old.length));
    const room = capacity - span;
    // Leave the free bins on the side the data grows towards.
    let nextOffset = lowKey;
    if (this.used === 0) nextOffset = lowKey - (room >> 1);
    else if (lowKey < this.offset) nextOffset = lowKey - room;
    let next: Uint32Array | Float64Array =
      old instanceof Float64Array ? new Float64Array(capacity) : new Uint32Array(capacity);
    for (let i = 0; i < this.used; i++) {
      const c = old[i]!;
      if (c === 0) continue;
      const j = Math.max(this.offset + i, lowKey) - nextOffset;
      const sum = next[j]! + c;
      next[j] = sum;
      if (next[j] !== sum) {
        next = Float64Array.from(next);
        next[j] = sum;
      }
    }
    this.counts = next;
    this.offset = nextOffset;
    this.used = highKey - nextOffset + 1;
  }
}

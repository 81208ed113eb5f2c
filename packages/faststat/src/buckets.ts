import type { KeyMapping } from './key-mapping.js';

/**
 * The fixed log-spaced histogram every Stats keeps: upper bounds 1, 2, 5 per
 * decade from 1e-9 to 1e12 (e.g. ms from a picosecond to 30 years). Bucket k
 * counts values in (BOUNDS[k-1], BOUNDS[k]]; bucket 0 counts everything
 * <= 1e-9 (zero and negative values included); values above 1e12 are counted
 * as overflow. Fixed bounds make histograms of all processes mergeable and
 * map straight onto Prometheus `le` buckets.
 */
const MIN_DECADE = -9;
const MAX_DECADE = 12;

function makeBounds(): Float64Array {
  const bounds: number[] = [];
  for (let d = MIN_DECADE; d < MAX_DECADE; d++) {
    for (const m of [1, 2, 5]) bounds.push(Number(`${m}e${d}`));
  }
  bounds.push(Number(`1e${MAX_DECADE}`));
  return Float64Array.from(bounds);
}

/** Upper bounds of the buckets, ascending. */
export const BUCKET_BOUNDS: Float64Array = makeBounds();
/** Number of buckets including the overflow bucket at the end. */
export const BUCKET_COUNT = BUCKET_BOUNDS.length + 1;
const OVERFLOW = BUCKET_BOUNDS.length;
const LOG10E = Math.LOG10E;

/** Bucket index of x (> 0) given ln(x): exact against BUCKET_BOUNDS. */
export function bucketOfPositive(x: number, lnx: number): number {
  const decade = Math.floor(lnx * LOG10E);
  if (decade < MIN_DECADE) return 0;
  if (decade >= MAX_DECADE) return x > BUCKET_BOUNDS[OVERFLOW - 1]! ? OVERFLOW : OVERFLOW - 1;
  // Guess from the decade, then correct by comparing with the exact bounds.
  let k = 3 * (decade - MIN_DECADE) + 1;
  while (k > 0 && x <= BUCKET_BOUNDS[k - 1]!) k--;
  while (k < OVERFLOW && x > BUCKET_BOUNDS[k]!) k++;
  return k;
}

/** BUCKET_BOUNDS with +Infinity after the last, so index OVERFLOW reads in range. */
const BOUNDS_EXT = Float64Array.from([...BUCKET_BOUNDS, Number.POSITIVE_INFINITY]);

/**
 * Maps the keys of a log sketch (bin k holds (γ^(k-1), γ^k]) to 1-2-5
 * buckets, so the hot path reuses the sketch's logarithm: a table lookup and
 * one or two exact comparisons. Bins are narrower than the 1-2-5 spacing, so
 * a bin straddles at most one bound. One table per sketch accuracy, shared.
 */
export class BucketTable {
  private readonly minKey: number;
  private readonly maxKey: number;
  private readonly table: Uint8Array;

  private constructor(mapping: KeyMapping) {
    this.minKey = mapping.key(BUCKET_BOUNDS[0]!) - 1;
    this.maxKey = mapping.key(BUCKET_BOUNDS[OVERFLOW - 1]!) + 1;
    this.table = new Uint8Array(this.maxKey - this.minKey + 1);
    for (let k = this.minKey; k <= this.maxKey; k++) {
      const center = mapping.value(k);
      this.table[k - this.minKey] = bucketOfPositive(center, Math.log(center));
    }
  }

  private static readonly cache = new Map<string, BucketTable>();

  static for(mapping: KeyMapping): BucketTable {
    const id = `${mapping.kind}:${mapping.relativeAccuracy}`;
    let table = BucketTable.cache.get(id);
    if (table === undefined) BucketTable.cache.set(id, (table = new BucketTable(mapping)));
    return table;
  }

  /** Bucket of x > 0 whose sketch key is `key`: exact against BUCKET_BOUNDS. */
  bucket(x: number, key: number): number {
    if (key < this.minKey) return 0;
    if (key > this.maxKey) return OVERFLOW;
    let b = this.table[key - this.minKey]!;
    if (x > BOUNDS_EXT[b]!) b++;
    else if (b > 0 && x <= BOUNDS_EXT[b - 1]!) b--;
    return b;
  }
}

/** Bucket index of any finite x. */
export function bucketOf(x: number): number {
  return x > 0 ? bucketOfPositive(x, Math.log(x)) : 0;
}

import {
  checkKnownKeys,
  checkNumber,
  FaststatError,
  FaststatErrorCode,
  FaststatTypeError,
} from './errors.js';
import { array, arrayOf, count, finite, integer, invalid, object } from './snapshot-check.js';

/** Options of {@link HeavyHitters}. */
export interface HeavyHittersOptions {
  /**
   * Error bound as a fraction of all items: reported counts are at most
   * epsilon × n below the true ones, and memory is O(1/ε · log(εn)) entries.
   * @default 0.001
   */
  epsilon?: number;
}

/** A frequent item: its true count lies in [count, count + error]. */
export interface HeavyHitter {
  item: string | number;
  count: number;
  error: number;
}

/** JSON form of {@link HeavyHitters}. */
export interface HeavyHittersSnapshot {
  type: 'heavyhitters';
  epsilon: number;
  n: number;
  /** [item, count, error] triples. */
  entries: Array<[string | number, number, number]>;
}

interface Entry {
  count: number;
  error: number;
}

/**
 * The most frequent items of a stream in bounded memory (lossy counting,
 * Manku & Motwani 2002). Every item whose frequency exceeds `s` is reported
 * by `frequent(s)` (no false negatives); counts are underestimated by at most
 * epsilon × n.
 */
export class HeavyHitters {
  readonly epsilon: number;
  private readonly width: number;
  private readonly entries = new Map<string | number, Entry>();
  private count = 0;
  private bucket = 1;

  constructor(options: HeavyHittersOptions = {}) {
    checkKnownKeys('HeavyHitters', options, ['epsilon']);
    this.epsilon = checkNumber('options.epsilon', options.epsilon ?? 0.001, 1e-6, 0.5);
    this.width = Math.ceil(1 / this.epsilon);
  }

  /** Number of items added. */
  get n(): number {
    return this.count;
  }

  /** Number of items tracked now (the memory bound). */
  get size(): number {
    return this.entries.size;
  }

  add(item: string | number): void {
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new FaststatTypeError(
        `HeavyHitters.add expects a string or number, got ${typeof item}`,
      );
    }
    const entry = this.entries.get(item);
    if (entry !== undefined) entry.count++;
    else this.entries.set(item, { count: 1, error: this.bucket - 1 });
    if (++this.count % this.width === 0) {
      this.prune();
      this.bucket++;
    }
  }

  /** The k items with the highest counts, highest first. */
  top(k = 10): HeavyHitter[] {
    return this.sorted().slice(0, k);
  }

  /** Every item whose frequency may exceed `support` (a fraction of n). */
  frequent(support: number): HeavyHitter[] {
    checkNumber('support', support, 0, 1);
    const threshold = (support - this.epsilon) * this.count;
    return this.sorted().filter((h) => h.count >= threshold);
  }

  /** Throws SUP_ERR_FASTSTAT_INCOMPATIBLE unless `other` has this summary's epsilon. */
  checkCompatible(other: { epsilon: number }): void {
    if (other.epsilon !== this.epsilon) {
      throw new FaststatError(
        FaststatErrorCode.INCOMPATIBLE,
        `cannot merge heavy hitters of epsilon ${this.epsilon} and ${other.epsilon}`,
      );
    }
  }

  /**
   * Folds another summary in. An item missing from one side may have been
   * pruned there with up to that side's bucket - 1 occurrences, which is
   * added to its error, so the bounds stay valid.
   */
  merge(other: HeavyHitters | HeavyHittersSnapshot): this {
    const s = other instanceof HeavyHitters ? other.snapshot() : validate(other);
    this.checkCompatible(s);
    const theirBucket = Math.floor(s.n / this.width) + 1;
    const theirs = new Map(s.entries.map(([item, count, error]) => [item, { count, error }]));
    for (const [item, entry] of this.entries) {
      if (!theirs.has(item)) entry.error += theirBucket - 1;
    }
    for (const [item, t] of theirs) {
      const mine = this.entries.get(item);
      if (mine !== undefined) {
        mine.count += t.count;
        mine.error += t.error;
      } else {
        this.entries.set(item, { count: t.count, error: t.error + this.bucket - 1 });
      }
    }
    this.count += s.n;
    this.bucket = Math.floor(this.count / this.width) + 1;
    this.prune();
    return this;
  }

  snapshot(): HeavyHittersSnapshot {
    return {
      type: 'heavyhitters',
      epsilon: this.epsilon,
      n: this.count,
      entries: [...this.entries].map(([item, e]) => [item, e.count, e.error]),
    };
  }

  static fromSnapshot(snapshot: HeavyHittersSnapshot): HeavyHitters {
    return new HeavyHitters({ epsilon: validate(snapshot).epsilon }).merge(snapshot);
  }

  reset(): void {
    this.entries.clear();
    this.count = 0;
    this.bucket = 1;
  }

  private prune(): void {
    for (const [item, entry] of this.entries) {
      if (entry.count + entry.error <= this.bucket) this.entries.delete(item);
    }
  }

  private sorted(): HeavyHitter[] {
    return [...this.entries]
      .map(([item, e]) => ({ item, count: e.count, error: e.error }))
      .sort((a, b) => b.count - a.count);
  }
}

/**
 * Returns `snapshot` if it is a well-formed heavy-hitters snapshot; throws
 * SUP_ERR_FASTSTAT_INVALID_SNAPSHOT naming the field otherwise.
 */
export function validate(snapshot: unknown, path = 'snapshot'): HeavyHittersSnapshot {
  const s = object(path, snapshot);
  if (s.type !== 'heavyhitters') invalid(`${path}.type`, "must be 'heavyhitters'", s.type);
  const epsilon = finite(`${path}.epsilon`, s.epsilon);
  if (epsilon < 1e-6 || epsilon > 0.5)
    invalid(`${path}.epsilon`, 'must be in [1e-6, 0.5]', epsilon);
  const n = count(`${path}.n`, s.n);
  const entries = array(`${path}.entries`, s.entries, n);
  const seen = new Set<string | number>();
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as unknown[];
    const item = Array.isArray(entry) ? entry[0] : undefined;
    const c = Array.isArray(entry) ? entry[1] : undefined;
    const fine =
      Array.isArray(entry) &&
      entry.length === 3 &&
      (typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))) &&
      !seen.has(item as string | number) &&
      Number.isSafeInteger(c) &&
      (c as number) >= 1 &&
      (c as number) <= n &&
      Number.isSafeInteger(entry[2]) &&
      (entry[2] as number) >= 0 &&
      (entry[2] as number) <= n;
    if (!fine) badEntry(`${path}.entries[${i}]`, entry, seen, n);
    seen.add(item as string | number);
    total += c as number;
  }
  if (total > n) invalid(`${path}.entries`, `counts must sum to at most n (${n})`, total);
  return s as unknown as HeavyHittersSnapshot;
}

/** Throws the error naming what is wrong with one heavy-hitters entry. */
function badEntry(field: string, entry: unknown, seen: Set<unknown>, n: number): never {
  const [item, c, error] = arrayOf(field, entry, 3);
  if (typeof item !== 'string' && (typeof item !== 'number' || !Number.isFinite(item))) {
    invalid(`${field}[0]`, 'must be a string or a finite number', item);
  }
  if (seen.has(item)) invalid(`${field}[0]`, 'appears twice', item);
  integer(`${field}[1]`, c, 1, n);
  integer(`${field}[2]`, error, 0, n);
  return invalid(field, 'is malformed', entry);
}

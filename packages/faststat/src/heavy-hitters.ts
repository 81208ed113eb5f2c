import {
  assertSnapshot,
  checkNumber,
  FaststatError,
  FaststatErrorCode,
  FaststatTypeError,
} from './errors.js';

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

  /**
   * Folds another summary in. An item missing from one side may have been
   * pruned there with up to that side's bucket - 1 occurrences, which is
   * added to its error, so the bounds stay valid.
   */
  merge(other: HeavyHitters | HeavyHittersSnapshot): this {
    const s = other instanceof HeavyHitters ? other.snapshot() : validate(other);
    if (s.epsilon !== this.epsilon) {
      throw new FaststatError(
        FaststatErrorCode.INCOMPATIBLE,
        `cannot merge heavy hitters of epsilon ${this.epsilon} and ${s.epsilon}`,
      );
    }
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

function validate(s: HeavyHittersSnapshot): HeavyHittersSnapshot {
  assertSnapshot(s && s.type === 'heavyhitters', 'type must be heavyhitters');
  assertSnapshot(Number.isInteger(s.n) && s.n >= 0, 'n must be an integer >= 0');
  assertSnapshot(Array.isArray(s.entries), 'entries must be an array');
  return s;
}

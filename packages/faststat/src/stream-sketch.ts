import { checkKnownKeys } from './errors.js';
import {
  type HeavyHitter,
  HeavyHitters,
  type HeavyHittersSnapshot,
  validate,
} from './heavy-hitters.js';
import { HyperLogLog, type HyperLogLogSnapshot } from './hyperloglog.js';
import { invalid, object } from './snapshot-check.js';

/** Options of {@link StreamSketch}. */
export interface StreamSketchOptions {
  /**
   * HyperLogLog precision (2^p one-byte registers).
   * @default 14
   */
  precision?: number;
  /**
   * Heavy-hitter error bound as a fraction of n.
   * @default 0.001
   */
  epsilon?: number;
}

/** JSON form of a {@link StreamSketch}. */
export interface StreamSketchSnapshot {
  type: 'streamsketch';
  n: number;
  cardinality: number;
  hyperloglog: HyperLogLogSnapshot;
  heavyHitters: HeavyHittersSnapshot;
}

/**
 * What a stream of keys (client addresses, URLs) looks like: how many items,
 * how many distinct ones (HyperLogLog) and which are most frequent (lossy
 * counting).
 */
export class StreamSketch {
  readonly hyperloglog: HyperLogLog;
  readonly heavyHitters: HeavyHitters;

  constructor(options: StreamSketchOptions = {}) {
    checkKnownKeys('StreamSketch', options, ['precision', 'epsilon']);
    this.hyperloglog = new HyperLogLog({ precision: options.precision ?? 14 });
    this.heavyHitters = new HeavyHitters({ epsilon: options.epsilon ?? 0.001 });
  }

  add(item: string | number): void {
    this.hyperloglog.add(item);
    this.heavyHitters.add(item);
  }

  /** Items added. */
  get n(): number {
    return this.heavyHitters.n;
  }

  /** Estimated distinct items. */
  cardinality(): number {
    return this.hyperloglog.cardinality();
  }

  /** The k most frequent items, most frequent first. */
  top(k = 10): HeavyHitter[] {
    return this.heavyHitters.top(k);
  }

  /**
   * Folds another sketch in. A snapshot is checked in full first (and both
   * parts for compatibility), so a refused merge changes nothing.
   */
  merge(other: StreamSketch | StreamSketchSnapshot): this {
    let hll: HyperLogLog;
    let hitters: HeavyHittersSnapshot;
    if (other instanceof StreamSketch) {
      hll = other.hyperloglog;
      hitters = other.heavyHitters.snapshot();
    } else {
      const s = object('snapshot', other);
      if (s.type !== 'streamsketch') invalid('snapshot.type', "must be 'streamsketch'", s.type);
      hll = HyperLogLog.fromSnapshot(s.hyperloglog as HyperLogLogSnapshot, 'snapshot.hyperloglog');
      hitters = validate(s.heavyHitters, 'snapshot.heavyHitters');
      if (s.n !== hitters.n) invalid('snapshot.n', `must equal heavyHitters.n (${hitters.n})`, s.n);
    }
    this.hyperloglog.checkCompatible(hll);
    this.heavyHitters.checkCompatible(hitters);
    this.hyperloglog.merge(hll);
    this.heavyHitters.merge(hitters);
    return this;
  }

  snapshot(): StreamSketchSnapshot {
    return {
      type: 'streamsketch',
      n: this.n,
      cardinality: this.cardinality(),
      hyperloglog: this.hyperloglog.snapshot(),
      heavyHitters: this.heavyHitters.snapshot(),
    };
  }

  static fromSnapshot(snapshot: StreamSketchSnapshot): StreamSketch {
    return new StreamSketch({
      precision: snapshot.hyperloglog?.precision,
      epsilon: snapshot.heavyHitters?.epsilon,
    }).merge(snapshot);
  }
}

import { Duration, Interval } from './duration.js';
import { FaststatTypeError } from './errors.js';
import type { Clock } from './nanotime.js';
import { nanotime } from './nanotime.js';
import type { StatsOptions } from './options.js';
import { Stats } from './stats.js';
import type { StatsSnapshot } from './stats-snapshot.js';

/** Options of {@link Markov}. */
export interface MarkovOptions {
  /**
   * Monotonic clock in nanoseconds.
   * @default nanotime
   */
  clock?: Clock;
  /**
   * Options of the Stats it keeps per state and per transition (the clock is
   * always the Markov's).
   * @default {}
   */
  statsOptions?: StatsOptions;
}

/** JSON form of a {@link Markov}. */
export interface MarkovSnapshot {
  type: 'markov';
  /** Transitors in each state now. */
  counts: Record<string, number>;
  /** Transitors collected by the garbage collector without close(). */
  leaked: number;
  stateDurations: Record<string, StatsSnapshot>;
  transitionIntervals: Record<string, Record<string, StatsSnapshot>>;
  stateCounts: Record<string, StatsSnapshot>;
}

/** What a transitor and the finalization registry share. */
interface Cell {
  state: string;
  since: number;
  closed: boolean;
}

/**
 * Tracks many objects moving through named states (a socket: connecting →
 * connected → in_use → closed): how long each state lasts, how often each
 * transition happens, and how many objects are in each state over time.
 */
export class Markov {
  /** Time spent in each state (ms), recorded when an object leaves it. */
  readonly stateDurations = new Map<string, Duration>();
  /** Time between occurrences of each from → to transition (ms). */
  readonly transitionIntervals = new Map<string, Map<string, Interval>>();
  /** Number of objects in each state, sampled at every change of it. */
  readonly stateCounts = new Map<string, Stats>();
  private readonly current = new Map<string, number>();
  private readonly clock: Clock;
  private readonly statsOptions: StatsOptions;
  private leakedCount = 0;
  private readonly registry = new FinalizationRegistry<Cell>((cell) => this.collect(cell));

  constructor(options: MarkovOptions = {}) {
    this.clock = options.clock ?? nanotime;
    if (typeof this.clock !== 'function')
      throw new FaststatTypeError('options.clock must be a function');
    this.statsOptions = { ...options.statsOptions, clock: this.clock };
  }

  /** A new object in `state`. Call `close()` when it is gone. */
  makeTransitor(state: string): Transitor {
    checkState(state);
    const cell: Cell = { state, since: this.clock(), closed: false };
    const transitor = new Transitor(this, cell);
    this.registry.register(transitor, cell, cell);
    this.changeCount(state, 1);
    return transitor;
  }

  /** Objects in each state now. */
  get counts(): Record<string, number> {
    return Object.fromEntries(this.current);
  }

  /** Transitors garbage-collected without close(); their counts were corrected. */
  get leaked(): number {
    return this.leakedCount;
  }

  /** @internal */
  move(cell: Cell, next: string): void {
    checkState(next);
    this.leave(cell);
    const t = this.clock();
    let byTarget = this.transitionIntervals.get(cell.state);
    if (byTarget === undefined) this.transitionIntervals.set(cell.state, (byTarget = new Map()));
    let interval = byTarget.get(next);
    if (interval === undefined) byTarget.set(next, (interval = new Interval(this.statsOptions)));
    interval.tick();
    cell.state = next;
    cell.since = t;
    this.changeCount(next, 1);
  }

  /** @internal */
  close(cell: Cell): void {
    this.leave(cell);
    cell.closed = true;
    this.registry.unregister(cell);
  }

  snapshot(): MarkovSnapshot {
    const map = <V, R>(m: Map<string, V>, f: (v: V) => R) =>
      Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
    return {
      type: 'markov',
      counts: this.counts,
      leaked: this.leakedCount,
      stateDurations: map(this.stateDurations, (d) => d.snapshot()),
      transitionIntervals: map(this.transitionIntervals, (m) => map(m, (i) => i.snapshot())),
      stateCounts: map(this.stateCounts, (s) => s.snapshot()),
    };
  }

  private leave(cell: Cell): void {
    let duration = this.stateDurations.get(cell.state);
    if (duration === undefined) {
      this.stateDurations.set(cell.state, (duration = new Duration(this.statsOptions)));
    }
    duration.end(cell.since);
    this.changeCount(cell.state, -1);
  }

  private collect(cell: Cell): void {
    if (cell.closed) return;
    cell.closed = true;
    this.leakedCount++;
    this.changeCount(cell.state, -1);
  }

  private changeCount(state: string, delta: number): void {
    const count = (this.current.get(state) ?? 0) + delta;
    this.current.set(state, count);
    let stats = this.stateCounts.get(state);
    if (stats === undefined) this.stateCounts.set(state, (stats = new Stats(this.statsOptions)));
    stats.add(count);
  }
}

/** One object's position in a {@link Markov}. */
export class Transitor {
  readonly #markov: Markov;
  readonly #cell: Cell;

  /** @internal use Markov.makeTransitor */
  constructor(markov: Markov, cell: Cell) {
    this.#markov = markov;
    this.#cell = cell;
  }

  get state(): string {
    return this.#cell.state;
  }

  get closed(): boolean {
    return this.#cell.closed;
  }

  /** Moves to `next`; a no-op after close(). */
  transition(next: string): void {
    if (!this.#cell.closed) this.#markov.move(this.#cell, next);
  }

  /** Leaves the current state for good; idempotent. */
  close(): void {
    if (!this.#cell.closed) this.#markov.close(this.#cell);
  }
}

function checkState(state: unknown): void {
  if (typeof state !== 'string' || state.length === 0) {
    throw new FaststatTypeError(`a Markov state must be a non-empty string, got ${String(state)}`);
  }
}

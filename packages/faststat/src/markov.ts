import { Duration, Interval } from './duration.js';
import { checkKnownKeys, FaststatTypeError } from './errors.js';
import type { Clock } from './nanotime.js';
import { nanotime } from './nanotime.js';
import { resolveStatsOptions, type StatsOptions } from './options.js';
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
   * @default { interval: false, topSize: 0 }
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

/**
 * The Stats a Markov keeps are many and fed on every transition: without
 * their own `interval` (the time between a state's changes says little) and
 * top points.
 */
const markovStatsDefaults: StatsOptions = Object.freeze({ interval: false, topSize: 0 });

/** What a transitor and the finalization registry share. */
interface Cell {
  state: string;
  /** The entry of `state`, so a transition looks up only where it goes. */
  entry: StateEntry;
  since: number;
  closed: boolean;
}

/** Everything kept about one state. */
interface StateEntry {
  count: number;
  duration: Duration;
  counts: Stats;
  transitions: Map<string, Interval>;
  edges: Map<string, Edge>;
  /** The transition out of this state taken last: objects repeat their paths. */
  lastEdge: Edge | undefined;
}

/** A from → to transition: where it goes and its Interval. */
interface Edge {
  next: string;
  target: StateEntry;
  interval: Interval;
}

/**
 * Tracks many objects moving through named states (a socket: connecting →
 * connected → in_use → closed): how long each state lasts, how often each
 * transition happens, and how many objects are in each state over time. A
 * transition reads the clock once for all the statistics it updates.
 */
export class Markov {
  /** Time spent in each state (ms), recorded when an object leaves it. */
  readonly stateDurations = new Map<string, Duration>();
  /** Time between occurrences of each from → to transition (ms). */
  readonly transitionIntervals = new Map<string, Map<string, Interval>>();
  /** Number of objects in each state, sampled at every change of it. */
  readonly stateCounts = new Map<string, Stats>();
  private readonly states = new Map<string, StateEntry>();
  private readonly clock: Clock;
  private readonly statsOptions: StatsOptions;
  private leakedCount = 0;
  private readonly registry = new FinalizationRegistry<Cell>((cell) => this.collect(cell));

  constructor(options: MarkovOptions = {}) {
    checkKnownKeys('Markov', options, ['clock', 'statsOptions']);
    this.clock = options.clock ?? nanotime;
    if (typeof this.clock !== 'function') {
      throw new FaststatTypeError('options.clock must be a function');
    }
    this.statsOptions = { ...markovStatsDefaults, ...options.statsOptions, clock: this.clock };
    // Checked now, not at the first transition that builds a Stats.
    resolveStatsOptions(this.statsOptions);
  }

  /** A new object in `state`. Call `close()` when it is gone. */
  makeTransitor(state: string): Transitor {
    const entry = this.entry(state);
    const t = this.clock();
    const cell: Cell = { state, entry, since: t, closed: false };
    const transitor = new Transitor(this, cell);
    this.registry.register(transitor, cell, cell);
    this.changeCount(entry, 1, t);
    return transitor;
  }

  /** Objects in each state now. */
  get counts(): Record<string, number> {
    return Object.fromEntries([...this.states].map(([state, e]) => [state, e.count]));
  }

  /** Transitors garbage-collected without close(); their counts were corrected. */
  get leaked(): number {
    return this.leakedCount;
  }

  /** @internal */
  move(cell: Cell, next: string): void {
    const from = cell.entry;
    let edge = from.lastEdge;
    // Two map lookups saved on the common path: the same move as last time.
    if (edge === undefined || edge.next !== next) from.lastEdge = edge = this.edge(from, next);
    const t = this.clock();
    this.leave(from, cell, t);
    edge.interval.tickAt(t);
    cell.state = next;
    cell.entry = edge.target;
    cell.since = t;
    this.changeCount(edge.target, 1, t);
  }

  /** @internal */
  close(cell: Cell): void {
    this.leave(cell.entry, cell, this.clock());
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

  /** The state's entry, created (and published in the public maps) on first use. */
  private entry(state: string): StateEntry {
    let entry = this.states.get(state);
    if (entry === undefined) {
      checkState(state);
      entry = {
        count: 0,
        duration: new Duration(this.statsOptions),
        counts: new Stats(this.statsOptions),
        transitions: new Map(),
        edges: new Map(),
        lastEdge: undefined,
      };
      this.states.set(state, entry);
      this.stateDurations.set(state, entry.duration);
      this.stateCounts.set(state, entry.counts);
      this.transitionIntervals.set(state, entry.transitions);
    }
    return entry;
  }

  /** The from → next edge, its Interval created on first use. */
  private edge(from: StateEntry, next: string): Edge {
    let edge = from.edges.get(next);
    if (edge === undefined) {
      const target = this.entry(next);
      const interval = new Interval(this.statsOptions);
      from.transitions.set(next, interval);
      from.edges.set(next, (edge = { next, target, interval }));
    }
    return edge;
  }

  private leave(entry: StateEntry, cell: Cell, t: number): void {
    entry.duration.endAt(cell.since, t);
    this.changeCount(entry, -1, t);
  }

  private collect(cell: Cell): void {
    if (cell.closed) return;
    cell.closed = true;
    this.leakedCount++;
    this.changeCount(cell.entry, -1, this.clock());
  }

  private changeCount(entry: StateEntry, delta: number, t: number): void {
    entry.count += delta;
    entry.counts.addAt(entry.count, t);
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

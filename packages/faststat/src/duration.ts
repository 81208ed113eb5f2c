import { FaststatTypeError } from './errors.js';
import { mergeChecked } from './internal.js';
import type { StatsOptions } from './options.js';
import { Stats } from './stats.js';
import type { StatsSnapshot } from './stats-snapshot.js';

/**
 * Statistics of durations in milliseconds. `end(start)` records the time
 * since a {@link nanotime} reading; a negative duration (a start in the
 * future: a clock mix-up) is left out and counted in `negative`.
 */
export class Duration extends Stats {
  protected negativeCount = 0;

  /**
   * Records the milliseconds since `startNanotime` and returns them. Same
   * rule as `add`: a start that is not a number throws FaststatTypeError; a
   * NaN or infinite one is counted in `nonFinite`.
   */
  end(startNanotime: number): number {
    if (typeof startNanotime !== 'number') {
      throw new FaststatTypeError(
        `Duration.end expects a nanotime() reading, got ${typeof startNanotime}`,
      );
    }
    return this.endAt(startNanotime, this.clock());
  }

  /** Records the milliseconds from `startNanotime` to `t` (both clock readings). */
  endAt(startNanotime: number, t: number): number {
    if (typeof startNanotime !== 'number' || typeof t !== 'number') {
      throw new FaststatTypeError(
        `Duration.endAt expects numbers, got ${typeof startNanotime} and ${typeof t}`,
      );
    }
    const ms = (t - startNanotime) / 1e6;
    if (ms >= 0) this.record(ms, t);
    else if (ms < 0) this.negativeCount++;
    else this.nonFiniteCount++;
    return ms;
  }

  /** Adds a duration in milliseconds measured elsewhere. */
  override add(ms: number): void {
    if (typeof ms !== 'number') {
      throw new FaststatTypeError(`Duration.add expects a number, got ${typeof ms}`);
    }
    if (ms < 0 && ms - ms === 0) this.negativeCount++;
    else super.add(ms);
  }

  /** Negative durations left out. */
  get negative(): number {
    return this.negativeCount;
  }

  override snapshot(): StatsSnapshot {
    return { ...super.snapshot(), type: 'duration', negative: this.negativeCount };
  }

  /** @internal See Stats: every merge ends here, with a checked snapshot. */
  override [mergeChecked](s: StatsSnapshot): this {
    super[mergeChecked](s);
    this.negativeCount += s.negative ?? 0;
    return this;
  }
}

/**
 * Statistics of the time between ticks, in milliseconds: N ticks give N - 1
 * points. Its own `interval` option defaults to false (it is one).
 */
export class Interval extends Stats {
  private lastTick = Number.NaN;
  private tickCount = 0;

  constructor(options?: StatsOptions) {
    super({ interval: false, ...options });
  }

  /** Marks an event now; records the time since the previous tick. */
  tick(): void {
    this.tickAt(this.clock());
  }

  /** Marks an event at clock time `t` (ns), a reading the caller already has. */
  tickAt(t: number): void {
    if (this.tickCount > 0) this.record((t - this.lastTick) / 1e6, t);
    this.lastTick = t;
    this.tickCount++;
  }

  /** Number of ticks (n + 1 once there has been one). */
  get ticks(): number {
    return this.tickCount;
  }

  override snapshot(): StatsSnapshot {
    return { ...super.snapshot(), type: 'interval' };
  }
}

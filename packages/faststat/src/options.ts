import { performance } from 'node:perf_hooks';
import { checkInteger, checkKnownKeys, checkNumber, FaststatTypeError } from './errors.js';
import type { MappingKind } from './key-mapping.js';
import { type Clock, nanotime } from './nanotime.js';

/** Options of {@link Stats} (and of Duration and Interval). */
export interface StatsOptions {
  /**
   * Monotonic clock in nanoseconds; inject a fake one in tests.
   * @default nanotime
   */
  clock?: Clock;
  /**
   * Wall-clock milliseconds since the epoch at which `clock()` reads 0. Times
   * in snapshots and the per-minute/per-hour windows are aligned to wall-clock
   * time through it, so the snapshots of different processes line up.
   * @default performance.timeOrigin
   */
  epochOriginMs?: number;
  /**
   * Relative accuracy α of quantiles: a quantile is within α × value of the
   * true one. Memory grows as 1/α.
   * @default 0.005
   */
  relativeAccuracy?: number;
  /**
   * How the quantile sketch maps values to bins: `log` (⌈ln x / ln γ⌉, the
   * most compact) or `binary` (log-linear bins read from the float's bits:
   * no logarithm, ~1.8× the bins, accuracy rounded to a power of two).
   * @default 'log'
   */
  mapping?: MappingKind;
  /**
   * Most bins the quantile sketch may use (4 bytes each); past it the lowest
   * values are collapsed together. 2048 bins at α = 0.5% cover 8.9 decades.
   * @default 2048
   */
  maxBins?: number;
  /**
   * Number of most recent points kept with their times (0 disables).
   * @default 64
   */
  recentSize?: number;
  /**
   * Number of largest points kept with their times (0 disables).
   * @default 8
   */
  topSize?: number;
  /**
   * Keep points per minute for the last 64 minutes and per hour for the last
   * 32 hours.
   * @default true
   */
  windowCounts?: boolean;
  /**
   * Keep an {@link Stats.interval}: statistics of the time between adds, in
   * ms. It needs a precise clock read on every add (≈40 ns, a third of an
   * add), so it is opt-in; without it `add` reads a shared coarse clock.
   * @default false
   */
  interval?: boolean;
  /**
   * Quantiles reported by `percentiles` and in snapshots.
   * @default [0.25, 0.5, 0.75, 0.9, 0.95, 0.99]
   */
  percentiles?: readonly number[];
}

export type ResolvedStatsOptions = Required<StatsOptions>;

export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([
  0.25, 0.5, 0.75, 0.9, 0.95, 0.99,
]);

export const statsDefaults: ResolvedStatsOptions = Object.freeze({
  clock: nanotime,
  epochOriginMs: performance.timeOrigin,
  relativeAccuracy: 0.005,
  mapping: 'log',
  maxBins: 2048,
  recentSize: 64,
  topSize: 8,
  windowCounts: true,
  interval: false,
  percentiles: DEFAULT_PERCENTILES,
});

/**
 * What the `interval` of a Stats keeps: moments, extremes, buckets and a
 * binary-mapped sketch (1% asked, 0.78% delivered), so that timing every add
 * costs no second logarithm.
 */
export const intervalStatsOptions: Partial<StatsOptions> = Object.freeze({
  relativeAccuracy: 0.01,
  mapping: 'binary',
  maxBins: 1024,
  recentSize: 0,
  topSize: 0,
  windowCounts: false,
  interval: false,
});

const KNOWN = Object.keys(statsDefaults);

/** Merges options over the defaults and validates them, naming the bad option. */
export function resolveStatsOptions(options: StatsOptions | undefined): ResolvedStatsOptions {
  checkKnownKeys('Stats', options, KNOWN);
  const o: ResolvedStatsOptions = { ...statsDefaults, ...stripUndefined(options ?? {}) };
  if (typeof o.clock !== 'function')
    throw new FaststatTypeError('options.clock must be a function');
  checkNumber('options.epochOriginMs', o.epochOriginMs, -8.64e15, 8.64e15);
  checkNumber('options.relativeAccuracy', o.relativeAccuracy, 1e-4, 0.5);
  if (o.mapping !== 'log' && o.mapping !== 'binary') {
    throw new FaststatTypeError(
      `options.mapping must be 'log' or 'binary', got ${String(o.mapping)}`,
    );
  }
  checkInteger('options.maxBins', o.maxBins, 16, 1 << 20);
  checkInteger('options.recentSize', o.recentSize, 0, 1 << 16);
  checkInteger('options.topSize', o.topSize, 0, 1 << 12);
  if (typeof o.windowCounts !== 'boolean') {
    throw new FaststatTypeError('options.windowCounts must be a boolean');
  }
  if (typeof o.interval !== 'boolean')
    throw new FaststatTypeError('options.interval must be a boolean');
  if (!Array.isArray(o.percentiles)) {
    throw new FaststatTypeError('options.percentiles must be an array of numbers in [0, 1]');
  }
  o.percentiles.forEach((q, i) => {
    checkNumber(`options.percentiles[${i}]`, q, 0, 1);
  });
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

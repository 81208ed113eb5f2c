import { BUCKET_BOUNDS, BUCKET_COUNT } from './buckets.js';
import { coarseNanotime } from './coarse-clock.js';
import { FaststatTypeError } from './errors.js';
import { mergeChecked } from './internal.js';
import { LogSketch } from './log-sketch.js';
import { Moments } from './moments.js';
import {
  intervalStatsOptions,
  type ResolvedStatsOptions,
  resolveStatsOptions,
  type StatsOptions,
} from './options.js';
import { RecentRing, type TimedPoint, TopN } from './recent.js';
import { lnPositive } from './small-log.js';
import { STATS_SNAPSHOT_VERSION, type StatsSnapshot } from './stats-snapshot.js';
import { validateStatsSnapshot } from './stats-validate.js';
import { WindowCounts, type WindowCountsSnapshot } from './window-counts.js';

/** Decay rates of {@link Stats.expoAvgs}: 1/2, 1/4, … 1/64. */
export const EXPO_RATES: readonly number[] = Object.freeze([
  1 / 2,
  1 / 4,
  1 / 8,
  1 / 16,
  1 / 32,
  1 / 64,
]);
/** Lags of {@link Stats.lagAvgs}: means of the last 2, 4, … 64 points. */
export const LAGS: readonly number[] = Object.freeze([2, 4, 8, 16, 32, 64]);

/**
 * Streaming statistics of a series of numbers in bounded memory: moments,
 * extremes, means, quantiles within a relative accuracy, a 1-2-5 histogram,
 * recent and top points, exponential averages, per-minute and per-hour
 * counts, and the statistics of the time between points.
 *
 * `add` of a non-finite number (NaN, ±Infinity) does not touch the
 * statistics; it is counted in {@link Stats.nonFinite}. `add` of a non-number
 * throws a TypeError (code SUP_ERR_FASTSTAT_INVALID_ARGUMENT). Statistics of
 * an empty Stats are NaN.
 */
export class Stats {
  protected readonly options: ResolvedStatsOptions;
  /** The precise clock: the injected one, else nanotime. */
  protected readonly clock: () => number;
  /**
   * True when `add` may time points by the shared coarse clock: the clock
   * is not injected and no `interval` needs the gap between adds exactly.
   */
  private readonly coarse: boolean;
  protected readonly moments = new Moments();
  protected readonly sketch: LogSketch;
  protected readonly bucketCounts: Float64Array = new Float64Array(BUCKET_COUNT);
  protected readonly recentRing: RecentRing | undefined;
  protected readonly topN: TopN | undefined;
  protected readonly windows: WindowCounts | undefined;
  protected readonly intervalStats: Stats | undefined;
  /** Exponential averages at EXPO_RATES, as fields: the hot path's cheapest form. */
  protected e0 = 0;
  protected e1 = 0;
  protected e2 = 0;
  protected e3 = 0;
  protected e4 = 0;
  protected e5 = 0;
  protected minValue = Number.NaN;
  protected maxValue = Number.NaN;
  protected minAt = Number.NaN;
  protected maxAt = Number.NaN;
  protected lastAt = Number.NaN;
  protected sumLog = 0;
  protected sumInverse = 0;
  protected nonPositive = 0;
  protected nonFiniteCount = 0;
  /**
   * False for the lean Stats that serves as an `interval` (it keeps moments,
   * extremes, sketch and buckets only) and after merging such data: then the
   * geometric and harmonic means and exponential averages read NaN.
   */
  protected fullFeatured = true;

  constructor(options?: StatsOptions) {
    const o = resolveStatsOptions(options);
    this.options = o;
    this.clock = o.clock;
    this.coarse = options?.clock === undefined && !o.interval;
    this.sketch = new LogSketch(o.relativeAccuracy, o.maxBins, o.mapping);
    this.recentRing = o.recentSize > 0 ? new RecentRing(o.recentSize) : undefined;
    this.topN = o.topSize > 0 ? new TopN(o.topSize) : undefined;
    this.windows = o.windowCounts ? new WindowCounts(o.epochOriginMs) : undefined;
    this.intervalStats = o.interval ? Stats.lean(o) : undefined;
  }

  /** The lean Stats of an `interval`: see {@link Stats.fullFeatured}. */
  private static lean(o: ResolvedStatsOptions): Stats {
    const stats = new Stats({
      ...intervalStatsOptions,
      clock: o.clock,
      epochOriginMs: o.epochOriginMs,
    });
    stats.fullFeatured = false;
    return stats;
  }

  /** Adds one point, timed now. */
  add(x: number): void {
    if (typeof x !== 'number') {
      throw new FaststatTypeError(`Stats.add expects a number, got ${typeof x}`);
    }
    if (x - x !== 0) {
      this.nonFiniteCount++;
      return;
    }
    // A direct call, not through a field: inlined, and the same call site
    // for every Stats whatever clock the others hold.
    this.record(x, this.coarse ? coarseNanotime() : this.clock());
  }

  /**
   * Adds a point taken at clock time `t` (ns) — for callers that already read
   * the clock for something else, so one reading serves several statistics.
   */
  addAt(x: number, t: number): void {
    if (typeof x !== 'number' || typeof t !== 'number') {
      throw new FaststatTypeError(`Stats.addAt expects numbers, got ${typeof x} and ${typeof t}`);
    }
    if (x - x !== 0 || t - t !== 0) this.nonFiniteCount++;
    else this.record(x, t);
  }

  /** Adds a finite point `x` taken at clock time `t` (ns). */
  protected record(x: number, t: number): void {
    const previous = this.lastAt;
    if (this.moments.n === 0) this.e0 = this.e1 = this.e2 = this.e3 = this.e4 = this.e5 = x;
    this.recordCore(x, t);
    this.e0 += (x - this.e0) * 0.5;
    this.e1 += (x - this.e1) * 0.25;
    this.e2 += (x - this.e2) * 0.125;
    this.e3 += (x - this.e3) * 0.0625;
    this.e4 += (x - this.e4) * 0.03125;
    this.e5 += (x - this.e5) * 0.015625;
    if (this.recentRing !== undefined) this.recentRing.push(x, t);
    if (this.topN !== undefined && x > this.topN.threshold) this.topN.offer(x, t);
    if (this.windows !== undefined) this.windows.add(t);
    // previous is NaN before the first point.
    if (this.intervalStats !== undefined && !Number.isNaN(previous)) {
      this.intervalStats.recordCore((t - previous) * 1e-6, t);
    }
  }

  /**
   * What every Stats keeps, the lean `interval` included: extremes, moments,
   * sketch and buckets, plus Σ ln x and Σ 1/x when full-featured.
   */
  private recordCore(x: number, t: number): void {
    this.lastAt = t;
    // NaN before the first point, so the first point sets both extremes.
    if (!(x >= this.minValue)) {
      this.minValue = x;
      this.minAt = t;
    }
    if (!(x <= this.maxValue)) {
      this.maxValue = x;
      this.maxAt = t;
    }
    this.moments.add(x);
    if (x > 0) {
      let lnx = 0;
      if (this.fullFeatured) {
        lnx = lnPositive(x);
        this.sumLog += lnx;
        this.sumInverse += 1 / x;
      } else if (this.sketch.needsLog) {
        lnx = lnPositive(x);
      }
      this.bucketCounts[this.sketch.addPositive(x, lnx)]!++;
    } else {
      this.nonPositive++;
      this.sketch.add(x);
      this.bucketCounts[0]!++;
    }
  }

  /** Number of points added (non-finite ones excluded). */
  get n(): number {
    return this.moments.n;
  }
  /** Number of NaN and ±Infinity values passed to add and left out. */
  get nonFinite(): number {
    return this.nonFiniteCount;
  }
  get mean(): number {
    return this.moments.n > 0 ? this.moments.mean : Number.NaN;
  }
  get min(): number {
    return this.minValue;
  }
  get max(): number {
    return this.maxValue;
  }
  /**
   * Population variance (divides by n): the spread of the points seen. Python
   * faststat's `variance` divides by n - 1; that is {@link Stats.sampleVariance}.
   */
  get variance(): number {
    return this.moments.variance;
  }
  /**
   * Sample variance (divides by n - 1): the unbiased estimate of the
   * variance of the population the points were drawn from, as Python
   * faststat's `variance`. NaN with fewer than 2 points.
   */
  get sampleVariance(): number {
    return this.moments.sampleVariance;
  }
  get stddev(): number {
    return Math.sqrt(this.moments.variance);
  }
  get skewness(): number {
    return this.moments.skewness;
  }
  /** Excess kurtosis: 0 for a normal distribution. */
  get kurtosis(): number {
    return this.moments.kurtosis;
  }
  /** exp(mean(ln x)); NaN unless every point is > 0. */
  get geometricMean(): number {
    return this.fullFeatured && this.n > 0 && this.nonPositive === 0
      ? Math.exp(this.sumLog / this.n)
      : Number.NaN;
  }
  /** n / Σ(1/x); NaN unless every point is > 0. */
  get harmonicMean(): number {
    return this.fullFeatured && this.n > 0 && this.nonPositive === 0
      ? this.n / this.sumInverse
      : Number.NaN;
  }
  /** (Q1 + 2·median + Q3) / 4. */
  get trimean(): number {
    return (this.quantile(0.25) + 2 * this.quantile(0.5) + this.quantile(0.75)) / 4;
  }

  /**
   * The value at quantile q in [0, 1] (nearest rank), within
   * `relativeAccuracy` of the exact one and clamped to [min, max].
   */
  quantile(q: number): number {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw new FaststatTypeError(`quantile expects q in [0, 1], got ${String(q)}`);
    }
    const v = this.sketch.quantile(q);
    return Math.min(Math.max(v, this.minValue), this.maxValue);
  }

  /** The configured percentiles, e.g. `[{ q: 0.5, value: 12.1 }, …]`. */
  get percentiles(): Array<{ q: number; value: number }> {
    return this.options.percentiles.map((q) => ({ q, value: this.quantile(q) }));
  }

  /**
   * The 1-2-5 histogram: `counts[k]` points in (bounds[k-1], bounds[k]]
   * (counts[0]: everything <= bounds[0]), and `overflow` above the last bound.
   */
  get buckets(): { bounds: readonly number[]; counts: number[]; overflow: number } {
    const counts = Array.from(this.bucketCounts);
    const overflow = counts.pop() ?? 0;
    return { bounds: Array.from(BUCKET_BOUNDS), counts, overflow };
  }

  /** The most recent points with their clock times, oldest first. */
  get recent(): TimedPoint[] {
    return this.recentRing?.points() ?? [];
  }
  /** The largest points with their clock times, largest first. */
  get top(): TimedPoint[] {
    return this.topN?.points() ?? [];
  }
  /** Exponential moving averages at {@link EXPO_RATES}. */
  get expoAvgs(): Array<{ rate: number; value: number }> {
    const values = this.expoValues();
    return EXPO_RATES.map((rate, i) => ({
      rate,
      value: this.fullFeatured && this.n > 0 ? values[i]! : Number.NaN,
    }));
  }
  /** Means of the last 2, 4, … 64 points (as far as `recentSize` reaches). */
  get lagAvgs(): Array<{ lag: number; value: number }> {
    const last = this.recentRing?.lastValues(this.recentRing.size) ?? [];
    return LAGS.filter((lag) => lag <= last.length).map((lag) => {
      let sum = 0;
      for (let i = 0; i < lag; i++) sum += last[i]!;
      return { lag, value: sum / lag };
    });
  }
  /** Median of the recent points (exact, over the last `recentSize`). */
  get windowMedian(): number {
    const values = this.recentRing?.lastValues(this.recentRing.size) ?? [];
    if (values.length === 0) return Number.NaN;
    values.sort((a, b) => a - b);
    const mid = values.length >> 1;
    return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  }
  /** Points per minute (last 64) and per hour (last 32), oldest first, as of now. */
  get windowCounts(): WindowCountsSnapshot | undefined {
    return this.windows?.snapshot(this.clock());
  }
  /** Statistics of the time between adds, in milliseconds. */
  get interval(): Stats | undefined {
    return this.intervalStats;
  }
  /** Clock time (ns) of the last point; NaN when empty. */
  get lastTime(): number {
    return this.lastAt;
  }
  /** Clock time (ns) at which the current minimum was added. */
  get minTime(): number {
    return this.minAt;
  }
  /** Clock time (ns) at which the current maximum was added. */
  get maxTime(): number {
    return this.maxAt;
  }

  /** Approximate bytes held by this Stats and its interval. */
  get byteLength(): number {
    return (
      400 +
      this.sketch.byteLength +
      this.bucketCounts.byteLength +
      (this.recentRing?.byteLength ?? 0) +
      (this.topN?.byteLength ?? 0) +
      (this.windows ? (64 + 32) * 8 : 0) +
      (this.intervalStats?.byteLength ?? 0)
    );
  }

  /** The configured percentiles as snapshot pairs `[q, value]` (value null when empty). */
  private percentilePairs(): Array<[number, number | null]> {
    const qs = this.options.percentiles;
    const values = this.sketch.quantiles(qs);
    const out: Array<[number, number | null]> = [];
    for (let i = 0; i < qs.length; i++) {
      const v = Math.min(Math.max(values[i]!, this.minValue), this.maxValue);
      out.push([qs[i]!, this.n > 0 ? v : null]);
    }
    return out;
  }

  private expoValues(): number[] {
    return [this.e0, this.e1, this.e2, this.e3, this.e4, this.e5];
  }

  /** Wall-clock ms for a clock time. */
  protected epochMs(t: number): number {
    return this.options.epochOriginMs + t / 1e6;
  }
  /** Clock time for wall-clock ms. */
  protected clockTime(epochMs: number): number {
    return (epochMs - this.options.epochOriginMs) * 1e6;
  }

  /** Plain JSON of everything; times are wall-clock epoch milliseconds. */
  snapshot(): StatsSnapshot {
    const e = (t: number) => (Number.isNaN(t) ? null : this.epochMs(t));
    const pts = (points: TimedPoint[]) =>
      points.map((p) => [this.epochMs(p.time), p.value] as [number, number]);
    const n = this.n;
    return {
      type: 'stats',
      version: STATS_SNAPSHOT_VERSION,
      n,
      nonFinite: this.nonFiniteCount,
      moments: this.moments.snapshot(),
      min: n > 0 ? this.minValue : null,
      max: n > 0 ? this.maxValue : null,
      minTime: e(this.minAt),
      maxTime: e(this.maxAt),
      lastTime: e(this.lastAt),
      sumLog: this.fullFeatured ? this.sumLog : null,
      sumInverse: this.fullFeatured ? this.sumInverse : null,
      nonPositive: this.nonPositive,
      percentiles: this.percentilePairs(),
      sketch: this.sketch.snapshot(),
      buckets: plainArray(this.bucketCounts),
      expoAvgs: this.fullFeatured && n > 0 ? this.expoValues() : null,
      recent: this.recentRing ? pts(this.recentRing.points()) : null,
      top: this.topN ? pts(this.topN.points()) : null,
      windowCounts: this.windows ? this.windows.snapshot(this.clock()) : null,
      interval: this.intervalStats ? this.intervalStats.snapshot() : null,
    };
  }

  /**
   * Adds the data of another Stats or snapshot into this one: n, mean,
   * variance, skewness, kurtosis, min, max, buckets, quantiles and window
   * counts combine exactly; recent and top keep the newest/largest points of
   * both; exponential averages become the n-weighted mean of both.
   */
  merge(other: Stats | StatsSnapshot): this {
    return this[mergeChecked](
      other instanceof Stats ? other.snapshot() : validateStatsSnapshot(snapshotOf(other)),
    );
  }

  /**
   * {@link Stats.merge} of a snapshot already checked by
   * `validateStatsSnapshot` (the interval inside it included), so that a
   * merge of many snapshots checks each once. Not part of the public API.
   * @internal
   */
  [mergeChecked](s: StatsSnapshot): this {
    // Everything that can refuse is checked before anything changes, so a
    // refused merge leaves this Stats as it was.
    this.checkCompatible(s);
    if (s.n === 0) {
      this.nonFiniteCount += s.nonFinite;
      return this;
    }
    const n0 = this.n;
    this.moments.merge(s.moments);
    this.nonFiniteCount += s.nonFinite;
    this.sketch.mergeChecked(s.sketch);
    const buckets = s.buckets;
    for (let i = 0; i < buckets.length; i++) this.bucketCounts[i]! += buckets[i]!;
    if (s.sumLog === null || s.sumInverse === null || s.expoAvgs === null)
      this.fullFeatured = false;
    this.sumLog += s.sumLog ?? 0;
    this.sumInverse += s.sumInverse ?? 0;
    this.nonPositive += s.nonPositive;
    if (n0 === 0 || (s.min as number) < this.minValue) {
      this.minValue = s.min as number;
      this.minAt = this.timeOf(s.minTime);
    }
    if (n0 === 0 || (s.max as number) > this.maxValue) {
      this.maxValue = s.max as number;
      this.maxAt = this.timeOf(s.maxTime);
    }
    const last = this.timeOf(s.lastTime);
    if (n0 === 0 || !(last <= this.lastAt)) this.lastAt = last;
    const theirs = s.expoAvgs;
    if (theirs) {
      // The n-weighted mean of both (theirs alone into an empty Stats).
      const n = s.n;
      const w = (mine: number, i: number) =>
        n0 === 0 ? (theirs[i] ?? 0) : (mine * n0 + (theirs[i] ?? 0) * n) / (n0 + n);
      this.e0 = w(this.e0, 0);
      this.e1 = w(this.e1, 1);
      this.e2 = w(this.e2, 2);
      this.e3 = w(this.e3, 3);
      this.e4 = w(this.e4, 4);
      this.e5 = w(this.e5, 5);
    }
    if (this.recentRing && s.recent) this.mergeRecent(this.recentRing, s.recent);
    if (this.topN && s.top) {
      const top = this.topN;
      for (const [ms, value] of s.top) if (value > top.threshold) top.offer(value, this.timeOf(ms));
    }
    if (this.windows && s.windowCounts) this.windows.merge(s.windowCounts);
    if (this.intervalStats && s.interval) this.intervalStats[mergeChecked](s.interval);
    return this;
  }

  /** Clock time of a snapshot's epoch ms; NaN for null. */
  private timeOf(ms: number | null): number {
    return ms === null ? Number.NaN : this.clockTime(ms);
  }

  /** Keeps the newest `size` points of the ring and `points` (oldest first). */
  private mergeRecent(ring: RecentRing, points: ReadonlyArray<[number, number]>): void {
    if (ring.mergeInOrder(points, (ms) => this.timeOf(ms))) return;
    const all = ring.points();
    for (const [ms, value] of points) all.push({ time: this.timeOf(ms), value });
    all.sort((a, b) => a.time - b.time);
    ring.clear();
    for (let i = Math.max(0, all.length - ring.size); i < all.length; i++)
      ring.push(all[i]!.value, all[i]!.time);
  }

  /** Throws SUP_ERR_FASTSTAT_INCOMPATIBLE unless `s` can merge into this Stats and its interval. */
  private checkCompatible(s: StatsSnapshot): void {
    if (s.n > 0) this.sketch.checkCompatible(s.sketch);
    if (this.intervalStats && s.interval) this.intervalStats.checkCompatible(s.interval);
  }

  /** A Stats holding the data of a snapshot (default options unless given). */
  static fromSnapshot(snapshot: StatsSnapshot, options?: StatsOptions): Stats {
    const s = validateStatsSnapshot(snapshot);
    return new Stats({ ...sketchOptionsOf(s), ...options })[mergeChecked](s);
  }

  /**
   * One Stats holding the data of all the given Stats and snapshots, with the
   * sketch accuracy of the first of them.
   */
  static merge(...items: Array<Stats | StatsSnapshot>): Stats {
    const first = items[0];
    const merged = new Stats(
      first === undefined
        ? undefined
        : sketchOptionsOf(
            first instanceof Stats ? first.snapshot() : validateStatsSnapshot(snapshotOf(first)),
          ),
    );
    for (const item of items) merged.merge(item);
    return merged;
  }
}

/** The sketch options of a checked snapshot. */
function sketchOptionsOf(s: StatsSnapshot): StatsOptions {
  return {
    relativeAccuracy: s.sketch.relativeAccuracy,
    mapping: s.sketch.mapping,
    maxBins: s.sketch.maxBins,
    interval: s.interval !== null,
  };
}

/** The items of a typed array in a plain array (a loop: Array.from goes through an iterator). */
function plainArray(values: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(values[i]!);
  return out;
}

/**
 * A Stats of another copy of this package (its ESM and CommonJS builds
 * loaded side by side) is not `instanceof Stats` here; its snapshot is the
 * same plain JSON, so take that and check it like any snapshot.
 */
function snapshotOf(value: unknown): unknown {
  const snapshot = (value as { snapshot?: unknown } | null)?.snapshot;
  return typeof snapshot === 'function' ? snapshot.call(value) : value;
}

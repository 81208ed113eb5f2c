import type { LogSketchSnapshot } from './log-sketch.js';
import type { MomentsSnapshot } from './moments.js';
import type { WindowCountsSnapshot } from './window-counts.js';

export const STATS_SNAPSHOT_VERSION = 1;

/**
 * Plain-JSON form of a Stats (Duration, Interval). Times are wall-clock
 * milliseconds since the epoch; values that do not exist (min of an empty
 * Stats) are null. `Stats.merge` combines snapshots of many processes.
 */
export interface StatsSnapshot {
  type: 'stats' | 'duration' | 'interval';
  version: number;
  n: number;
  nonFinite: number;
  /** Durations only: negative durations left out. */
  negative?: number;
  moments: MomentsSnapshot;
  min: number | null;
  max: number | null;
  minTime: number | null;
  maxTime: number | null;
  lastTime: number | null;
  /** Σ ln(x) and Σ 1/x over points > 0; null where not kept (an interval). */
  sumLog: number | null;
  sumInverse: number | null;
  nonPositive: number;
  /** [q, value] pairs of the configured percentiles, for readers that do not merge. */
  percentiles: Array<[number, number | null]>;
  sketch: LogSketchSnapshot;
  /** Counts of the 1-2-5 buckets (see BUCKET_BOUNDS), then the overflow count. */
  buckets: number[];
  expoAvgs: number[] | null;
  /** [epochMs, value] pairs, oldest first. */
  recent: Array<[number, number]> | null;
  /** [epochMs, value] pairs, largest first. */
  top: Array<[number, number]> | null;
  windowCounts: WindowCountsSnapshot | null;
  interval: StatsSnapshot | null;
}

export { BUCKET_BOUNDS, BUCKET_COUNT } from './buckets.js';
export { didYouMean } from './closest.js';
export { coarseNanotime } from './coarse-clock.js';
export { Duration, Interval } from './duration.js';
export {
  FaststatError,
  FaststatErrorCode,
  FaststatTypeError,
} from './errors.js';
export {
  type HeavyHitter,
  HeavyHitters,
  type HeavyHittersOptions,
  type HeavyHittersSnapshot,
} from './heavy-hitters.js';
export { HyperLogLog, type HyperLogLogOptions, type HyperLogLogSnapshot } from './hyperloglog.js';
export type { LogSketchSnapshot } from './log-sketch.js';
export { Markov, type MarkovOptions, type MarkovSnapshot, Transitor } from './markov.js';
export { validateMarkovSnapshot } from './markov-validate.js';
export { mergeMarkovSnapshots, mergeStatsSnapshots } from './merge-snapshots.js';
export type { MomentsSnapshot } from './moments.js';
export { type Clock, nanotime, nanotimeToEpochMs } from './nanotime.js';
export { DEFAULT_PERCENTILES, type StatsOptions, statsDefaults } from './options.js';
export type { TimedPoint } from './recent.js';
export { EXPO_RATES, LAGS, Stats } from './stats.js';
export { STATS_SNAPSHOT_VERSION, type StatsSnapshot } from './stats-snapshot.js';
export { validateStatsSnapshot } from './stats-validate.js';
export {
  StreamSketch,
  type StreamSketchOptions,
  type StreamSketchSnapshot,
} from './stream-sketch.js';
export { WINDOW_HOURS, WINDOW_MINUTES, type WindowCountsSnapshot } from './window-counts.js';

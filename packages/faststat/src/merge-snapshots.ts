// Snapshot-to-snapshot merges for readers that hold JSON from many processes
// (meta under prefork) and want JSON back: the kind of each statistic
// (stats, duration, interval) and what it kept are preserved.
import { Duration, Interval } from './duration.js';
import { assertSnapshot } from './errors.js';
import { mergeChecked } from './internal.js';
import type { MarkovSnapshot } from './markov.js';
import { validateMarkovSnapshot } from './markov-validate.js';
import { type StatsOptions, statsDefaults } from './options.js';
import { Stats } from './stats.js';
import type { StatsSnapshot } from './stats-snapshot.js';
import { validateStatsSnapshot } from './stats-validate.js';

/**
 * One snapshot holding the data of all the given ones (see `Stats.merge` for
 * what combines exactly), of the same type as the first and with what it
 * keeps: its sketch accuracy, percentiles, and whether it has recent and top
 * points, window counts and an interval. One snapshot is returned as is.
 * Throws `SUP_ERR_FASTSTAT_INVALID_SNAPSHOT` or `SUP_ERR_FASTSTAT_INCOMPATIBLE`
 * for snapshots that cannot be merged.
 */
export function mergeStatsSnapshots(snapshots: readonly StatsSnapshot[]): StatsSnapshot {
  assertSnapshot(
    Array.isArray(snapshots) && snapshots.length > 0,
    'expected a non-empty array of snapshots',
  );
  // Each checked once, even alone, so a corrupt snapshot is never passed on as is.
  const checked = snapshots.map((s, i) => validateStatsSnapshot(s, `snapshots[${i}]`));
  return mergeCheckedStats(checked);
}

/** {@link mergeStatsSnapshots} of snapshots already checked by validateStatsSnapshot. */
function mergeCheckedStats(snapshots: readonly StatsSnapshot[]): StatsSnapshot {
  const first = snapshots[0]!;
  if (snapshots.length === 1) return first;
  const options: StatsOptions = {
    relativeAccuracy: first.sketch.relativeAccuracy,
    mapping: first.sketch.mapping,
    maxBins: first.sketch.maxBins,
    interval: first.interval != null,
    recentSize: first.recent == null ? 0 : statsDefaults.recentSize,
    topSize: first.top == null ? 0 : statsDefaults.topSize,
    windowCounts: first.windowCounts != null,
    percentiles: Array.isArray(first.percentiles)
      ? first.percentiles.map(([q]: [number, unknown]) => q)
      : statsDefaults.percentiles,
  };
  const merged =
    first.type === 'duration'
      ? new Duration(options)
      : first.type === 'interval'
        ? new Interval(options)
        : new Stats(options);
  for (const s of snapshots) merged[mergeChecked](s);
  return merged.snapshot();
}

/**
 * One Markov snapshot holding the data of all the given ones: objects in each
 * state and leaked transitors summed; time in each state, transition
 * intervals and the per-state count samples merged per state (the counts'
 * distribution is that of every process's samples together).
 */
export function mergeMarkovSnapshots(snapshots: readonly MarkovSnapshot[]): MarkovSnapshot {
  assertSnapshot(
    Array.isArray(snapshots) && snapshots.length > 0,
    'expected a non-empty array of snapshots',
  );
  snapshots.forEach((s, i) => {
    validateMarkovSnapshot(s, `snapshots[${i}]`);
  });
  if (snapshots.length === 1) return snapshots[0]!;
  const counts: Record<string, number> = {};
  const durations = new Map<string, StatsSnapshot[]>();
  const stateCounts = new Map<string, StatsSnapshot[]>();
  const transitions = new Map<string, Map<string, StatsSnapshot[]>>();
  let leaked = 0;
  for (const s of snapshots) {
    leaked += s.leaked ?? 0;
    for (const [state, n] of Object.entries<number>(s.counts ?? {}))
      counts[state] = (counts[state] ?? 0) + n;
    collect(durations, s.stateDurations);
    collect(stateCounts, s.stateCounts);
    for (const [from, tos] of Object.entries<Record<string, StatsSnapshot>>(
      s.transitionIntervals ?? {},
    )) {
      let byTarget = transitions.get(from);
      if (byTarget === undefined) transitions.set(from, (byTarget = new Map()));
      collect(byTarget, tos);
    }
  }
  return {
    type: 'markov',
    counts,
    leaked,
    stateDurations: mergeEach(durations),
    transitionIntervals: Object.fromEntries(
      [...transitions].map(([from, byTarget]) => [from, mergeEach(byTarget)]),
    ),
    stateCounts: mergeEach(stateCounts),
  };
}

function collect(into: Map<string, StatsSnapshot[]>, from: Record<string, StatsSnapshot> = {}) {
  for (const [name, snapshot] of Object.entries(from)) {
    const list = into.get(name);
    if (list === undefined) into.set(name, [snapshot]);
    else list.push(snapshot);
  }
}

function mergeEach(groups: Map<string, StatsSnapshot[]>): Record<string, StatsSnapshot> {
  const out: Record<string, StatsSnapshot> = {};
  for (const [name, list] of groups) out[name] = mergeCheckedStats(list);
  return out;
}

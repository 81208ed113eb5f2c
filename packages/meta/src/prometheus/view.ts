import type { ContextSnapshot } from '@support/context';
import type { StatsSnapshot } from '@support/faststat';
import type { Labels } from './family.js';
import { isStatsSnapshot } from './stats.js';

/**
 * One label set of the output: the merged snapshot (with the workers'
 * snapshots it came from, when known, in `parts`) or one worker's.
 */
export interface View {
  labels: Labels;
  snapshot: ContextSnapshot;
  parts?: readonly ContextSnapshot[];
}

/** A statistic of a snapshot's registry, if it is one. */
export function statOf(
  snapshot: ContextSnapshot,
  field: 'stats' | 'durations' | 'intervals' | 'volatileStats',
  name: string,
): StatsSnapshot | undefined {
  const s = (snapshot[field] as Record<string, unknown> | undefined)?.[name];
  return isStatsSnapshot(s) ? s : undefined;
}

/** The last point recorded (what a gauge shows), or undefined when there is none. */
export function latest(s: StatsSnapshot | undefined): number | undefined {
  if (s === undefined || s.n === 0) return undefined;
  const last = s.recent?.[s.recent.length - 1];
  if (last !== undefined) return last[1];
  return s.expoAvgs?.[0] ?? s.moments.mean;
}

function recentMean(s: StatsSnapshot | undefined): number | undefined {
  if (s === undefined || s.n === 0) return undefined;
  const recent = s.recent ?? [];
  if (recent.length === 0) return s.moments.mean;
  let sum = 0;
  for (const [, v] of recent) sum += v;
  return sum / recent.length;
}

/**
 * A gauge summed over processes: exact with the workers' snapshots; for a
 * merged snapshot alone, estimated as the mean of its recent points times the
 * number of processes merged.
 */
export function summed(
  view: View,
  name: string,
  value: (s: ContextSnapshot) => number | undefined = (s) => latest(statOf(s, 'stats', name)),
): number | undefined {
  if (view.parts !== undefined && view.parts.length > 0) {
    let total: number | undefined;
    for (const part of view.parts) {
      const v = value(part);
      if (v !== undefined) total = (total ?? 0) + v;
    }
    return total;
  }
  const count = view.snapshot.merged?.count ?? 1;
  if (count <= 1) return value(view.snapshot);
  const mean = recentMean(statOf(view.snapshot, 'stats', name));
  return mean === undefined ? undefined : mean * count;
}

/** A gauge averaged over processes (exact with the workers' snapshots). */
export function averaged(view: View, name: string): number | undefined {
  if (view.parts !== undefined && view.parts.length > 0) {
    let total = 0;
    let n = 0;
    for (const part of view.parts) {
      const v = latest(statOf(part, 'stats', name));
      if (v !== undefined) {
        total += v;
        n++;
      }
    }
    return n > 0 ? total / n : undefined;
  }
  const count = view.snapshot.merged?.count ?? 1;
  const s = statOf(view.snapshot, 'stats', name);
  return count <= 1 ? latest(s) : recentMean(s);
}

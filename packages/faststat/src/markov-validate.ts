import type { MarkovSnapshot } from './markov.js';
import { count, invalid, object } from './snapshot-check.js';
import { validateStatsSnapshot } from './stats-validate.js';

/**
 * Returns `s` if it is a well-formed Markov snapshot (every per-state count
 * an integer >= 0, every statistic a valid Stats snapshot); throws
 * `SUP_ERR_FASTSTAT_INVALID_SNAPSHOT` naming the first bad field otherwise.
 */
export function validateMarkovSnapshot(s: unknown, path = 'snapshot'): MarkovSnapshot {
  const o = object(path, s);
  if (o.type !== 'markov') invalid(`${path}.type`, "must be 'markov'", o.type);
  count(`${path}.leaked`, o.leaked);
  for (const [state, n] of Object.entries(object(`${path}.counts`, o.counts))) {
    count(`${path}.counts[${JSON.stringify(state)}]`, n);
  }
  for (const name of ['stateDurations', 'stateCounts'] as const) {
    for (const [state, stats] of Object.entries(object(`${path}.${name}`, o[name]))) {
      validateStatsSnapshot(stats, `${path}.${name}[${JSON.stringify(state)}]`);
    }
  }
  const transitions = object(`${path}.transitionIntervals`, o.transitionIntervals);
  for (const [from, targets] of Object.entries(transitions)) {
    const field = `${path}.transitionIntervals[${JSON.stringify(from)}]`;
    for (const [to, stats] of Object.entries(object(field, targets))) {
      validateStatsSnapshot(stats, `${field}[${JSON.stringify(to)}]`);
    }
  }
  return o as unknown as MarkovSnapshot;
}

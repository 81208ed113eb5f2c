import type { MarkovSnapshot } from './markov.js';
import { count, invalid, object } from './snapshot-check.js';
import { validateStatsSnapshot } from './stats-validate.js';

/**
 * Returns `s` if it is a well-formed Markov snapshot (every per-state count
 * an integer >= 0, every statistic a valid Stats snapshot); throws
 * `SUP_ERR_FASTSTAT_INVALID_SNAPSHOT` naming the first bad field otherwise.
 */
export function validateMarkovSnapshot(s: unknown, path = 'snapshot'): MarkovSnapshot {
  // Field names cost a string each: the first pass builds none, and only a
  // snapshot it refuses is checked again with names, to say what failed.
  let first: unknown;
  try {
    return check(s, path, false);
  } catch (error) {
    first = error;
  }
  check(s, path, true);
  throw first;
}

function check(s: unknown, path: string, named: boolean): MarkovSnapshot {
  const key = (field: string, k: string) => (named ? `${field}[${JSON.stringify(k)}]` : '');
  const o = object(path, s);
  if (o.type !== 'markov') invalid(`${path}.type`, "must be 'markov'", o.type);
  count(`${path}.leaked`, o.leaked);
  const counts = object(`${path}.counts`, o.counts);
  for (const state of Object.keys(counts)) {
    const n = counts[state];
    if (!Number.isSafeInteger(n) || (n as number) < 0) count(key(`${path}.counts`, state), n);
  }
  for (const name of ['stateDurations', 'stateCounts'] as const) {
    const field = named ? `${path}.${name}` : '';
    const all = object(field, o[name]);
    for (const state of Object.keys(all)) validateStatsSnapshot(all[state], key(field, state));
  }
  const transitions = object(`${path}.transitionIntervals`, o.transitionIntervals);
  for (const from of Object.keys(transitions)) {
    const field = key(`${path}.transitionIntervals`, from);
    const targets = object(field, transitions[from]);
    for (const to of Object.keys(targets)) validateStatsSnapshot(targets[to], key(field, to));
  }
  return o as unknown as MarkovSnapshot;
}

// The merge of many processes' snapshots into one, so that meta renders a
// preforked service with the same code as a single process: statistics,
// state machines and sketches merged with faststat (exact where faststat is
// exact), counters summed, and the rings (log records, recent events, long
// blocks) concatenated with each entry tagged with its pid, newest kept.
import {
  type MarkovSnapshot,
  mergeMarkovSnapshots,
  mergeStatsSnapshots,
  type StatsSnapshot,
  StreamSketch,
  type StreamSketchSnapshot,
} from '@support/faststat';
import type { ComponentInfo } from './components.js';
import { ContextOptionError } from './errors.js';
import type { LogRecord } from './log/record.js';
import type { RegistryInfo } from './registry.js';
import type { ContextSnapshot, MergedInfo } from './snapshot.js';
import { knownKeys, plainObject, positiveInteger } from './validate.js';
import type { LongBlockReport } from './watchdog.js';

/** Options of {@link mergeSnapshots}. */
export interface MergeOptions {
  /**
   * Log records kept from all the rings together, newest (by `end`) first kept.
   * @default 1000
   */
  logRecords?: number;
  /**
   * Recent events kept per key from all the rings together, newest first kept.
   * @default 32
   */
  eventsPerKey?: number;
  /**
   * Long-block reports kept, newest first kept.
   * @default 16
   */
  longBlocks?: number;
}

export const mergeDefaults: Required<MergeOptions> = {
  logRecords: 1000,
  eventsPerKey: 32,
  longBlocks: 16,
};

/** Messages of entries that could not be merged, kept in `merged.errors`. */
const MAX_ERRORS = 32;

type StatsField = 'stats' | 'durations' | 'intervals' | 'volatileStats';

/**
 * One snapshot holding what all the given ones hold (of several workers, or
 * of one over time is not meant: use the latest). The result's `pid`,
 * `config` and any field this function does not know come from the first;
 * `time` is the latest and `createdAt` the earliest; `merged` says which pids
 * went in (an already merged snapshot counts with its own pids) and lists
 * entries that could not be merged (those keep the first snapshot's value).
 */
export function mergeSnapshots(
  snapshots: readonly ContextSnapshot[],
  options?: MergeOptions,
): ContextSnapshot {
  const o = resolveMergeOptions(options);
  if (!Array.isArray(snapshots) || snapshots.length === 0)
    throw new ContextOptionError('mergeSnapshots(snapshots)', 'must be a non-empty array');
  snapshots.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || typeof s.pid !== 'number')
      throw new ContextOptionError(`mergeSnapshots(snapshots)[${i}]`, 'must be a context snapshot');
  });
  const first = snapshots[0]!;
  const errors: string[] = [];
  const fail = (what: string, error: unknown) => {
    if (errors.length < MAX_ERRORS)
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const pids = snapshots.flatMap((s) => s.merged?.pids ?? [s.pid]);
  const merged: MergedInfo = {
    count: snapshots.reduce((n, s) => n + (s.merged?.count ?? 1), 0),
    pids,
    errors,
  };
  const stats = (field: StatsField) =>
    mergeNamed(snapshots, field, (list) => mergeStatsSnapshots(list as StatsSnapshot[]), fail);
  return {
    ...first,
    pid: first.pid,
    time: Math.max(...snapshots.map((s) => s.time)),
    createdAt: Math.min(...snapshots.map((s) => s.createdAt)),
    stats: stats('stats'),
    durations: stats('durations'),
    intervals: stats('intervals'),
    volatileStats: stats('volatileStats'),
    markov: mergeNamed(
      snapshots,
      'markov',
      (list) => mergeMarkovSnapshots(list as MarkovSnapshot[]),
      fail,
    ),
    sketches: mergeNamed(snapshots, 'sketches', mergeSketches, fail),
    registries: mergeRegistries(snapshots),
    recent: mergeRecent(snapshots, o.eventsPerKey),
    log: mergeLog(snapshots, o.logRecords),
    monitor: {
      running: snapshots.some((s) => s.monitor?.running),
      samples: sum(snapshots, (s) => s.monitor?.samples),
    },
    watchdog: {
      running: snapshots.some((s) => s.watchdog?.running),
      captureStacks: snapshots.some((s) => s.watchdog?.captureStacks),
      errors: sum(snapshots, (s) => s.watchdog?.errors),
      longBlocks: newest(
        tagged(snapshots, (s) => s.watchdog?.longBlocks),
        (r: LongBlockReport) => r.end,
        o.longBlocks,
      ),
    },
    profiler: { sampling: snapshots.some((s) => s.profiler?.sampling) },
    components: tagged(snapshots, (s) => s.components) as ComponentInfo[],
    componentRegistry: {
      size: sum(snapshots, (s) => s.componentRegistry?.size),
      maxComponents: first.componentRegistry?.maxComponents ?? 0,
      overflow: sum(snapshots, (s) => s.componentRegistry?.overflow),
      collected: sum(snapshots, (s) => s.componentRegistry?.collected),
    },
    merged,
  };
}

function resolveMergeOptions(options: unknown): Required<MergeOptions> {
  const given = options === undefined ? {} : plainObject('mergeSnapshots(…, options)', options);
  knownKeys('mergeSnapshots(…, options)', given, Object.keys(mergeDefaults));
  const o = { ...mergeDefaults, ...given } as Required<MergeOptions>;
  for (const key of Object.keys(mergeDefaults) as Array<keyof MergeOptions>)
    positiveInteger(`mergeSnapshots(…, options).${key}`, o[key]);
  return o;
}

/**
 * Merges a name → snapshot field: names held by one snapshot pass through,
 * names held by several are merged; an entry that is not a snapshot (e.g. a
 * registry's `{ error }`) is left out of the merge unless it is all there is.
 */
function mergeNamed<T>(
  snapshots: readonly ContextSnapshot[],
  field: StatsField | 'markov' | 'sketches',
  merge: (list: unknown[]) => T,
  fail: (what: string, error: unknown) => void,
): Record<string, T> {
  const groups = new Map<string, unknown[]>();
  for (const s of snapshots) {
    const entries = s[field] as Record<string, unknown> | undefined;
    if (entries === undefined || entries === null) continue;
    for (const name of Object.keys(entries)) {
      const value = entries[name];
      const list = groups.get(name);
      if (list === undefined) groups.set(name, [value]);
      else list.push(value);
    }
  }
  const out: Record<string, T> = {};
  for (const [name, list] of groups) {
    const usable = list.length === 1 ? list : list.filter(isSnapshot);
    if (usable.length <= 1) {
      out[name] = (usable[0] ?? list[0]) as T;
      continue;
    }
    try {
      out[name] = merge(usable);
    } catch (error) {
      fail(`${field}.${name}`, error);
      out[name] = usable[0] as T;
    }
  }
  return out;
}

function isSnapshot(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'type' in value && !('error' in value);
}

function mergeSketches(list: unknown[]): StreamSketchSnapshot {
  const [first, ...rest] = list as StreamSketchSnapshot[];
  const sketch = StreamSketch.fromSnapshot(first!);
  for (const s of rest) sketch.merge(s);
  return sketch.snapshot();
}

function mergeRegistries(snapshots: readonly ContextSnapshot[]): Record<string, RegistryInfo> {
  const out: Record<string, RegistryInfo> = {};
  for (const s of snapshots) {
    for (const [name, info] of Object.entries(s.registries ?? {})) {
      const into = out[name];
      if (into === undefined) {
        out[name] = { ...info };
        continue;
      }
      // Names held: the most any one process holds (the same names recur across workers).
      into.size = Math.max(into.size, info.size);
      into.overflow += info.overflow;
      into.badNames += info.badNames;
      into.evicted += info.evicted;
    }
  }
  return out;
}

function mergeRecent(
  snapshots: readonly ContextSnapshot[],
  perKey: number,
): ContextSnapshot['recent'] {
  const first = snapshots[0]!.recent;
  const events: Record<string, unknown[]> = {};
  for (const s of snapshots) {
    for (const [key, list] of Object.entries(s.recent?.events ?? {})) {
      const tags = list.map((e) => tag(e, s.pid));
      events[key] = events[key] === undefined ? tags : events[key]!.concat(tags);
    }
  }
  for (const key of Object.keys(events)) {
    events[key] = newest(events[key]!, (e) => (e as { time?: number }).time, perKey);
  }
  return {
    ...first,
    enabled: snapshots.some((s) => s.recent?.enabled),
    keys: Object.keys(events).length,
    added: sum(snapshots, (s) => s.recent?.added),
    dropped: sum(snapshots, (s) => s.recent?.dropped),
    evictedKeys: sum(snapshots, (s) => s.recent?.evictedKeys),
    elided: sum(snapshots, (s) => s.recent?.elided),
    badPayloads: sum(snapshots, (s) => s.recent?.badPayloads),
    events,
  };
}

function mergeLog(snapshots: readonly ContextSnapshot[], max: number): ContextSnapshot['log'] {
  const first = snapshots[0]!.log;
  const out: ContextSnapshot['log'] = {
    ...first,
    records: sum(snapshots, (s) => s.log?.records),
    sinkErrors: sum(snapshots, (s) => s.log?.sinkErrors),
    loggers: Math.max(0, ...snapshots.map((s) => s.log?.loggers ?? 0)),
    overflow: sum(snapshots, (s) => s.log?.overflow),
    ring: newest(
      tagged(snapshots, (s) => s.log?.ring),
      (r: LogRecord) => r.end,
      max,
    ),
  };
  const lastSinkError = snapshots.map((s) => s.log?.lastSinkError).find((e) => e !== undefined);
  if (lastSinkError !== undefined) out.lastSinkError = lastSinkError;
  return out;
}

/** The entries of every snapshot's list, each tagged with its snapshot's pid. */
function tagged<T>(
  snapshots: readonly ContextSnapshot[],
  list: (s: ContextSnapshot) => readonly T[] | undefined,
): T[] {
  return snapshots.flatMap((s) => (list(s) ?? []).map((e) => tag(e, s.pid)));
}

/** `entry` with a `pid` field, unless it has one (from an earlier merge) or is not an object. */
function tag<T>(entry: T, pid: number): T {
  if (typeof entry !== 'object' || entry === null || 'pid' in entry) return entry;
  return { ...entry, pid };
}

/** The last `max` entries by time, oldest first; entries without a time sort first. */
function newest<T>(entries: T[], time: (e: T) => number | undefined, max: number): T[] {
  const keyed = entries.map((e, i) => ({ e, t: time(e), i }));
  keyed.sort(
    (a, b) => (a.t ?? Number.NEGATIVE_INFINITY) - (b.t ?? Number.NEGATIVE_INFINITY) || a.i - b.i,
  );
  return keyed.slice(Math.max(0, keyed.length - max)).map((k) => k.e);
}

function sum(
  snapshots: readonly ContextSnapshot[],
  value: (s: ContextSnapshot) => number | undefined,
): number {
  let total = 0;
  for (const s of snapshots) total += value(s) ?? 0;
  return total;
}

import { BUCKET_COUNT } from './buckets.js';
import { createMapping, type MappingKind } from './key-mapping.js';
import {
  array,
  arrayOf,
  count,
  finite,
  finiteOrNull,
  integer,
  invalid,
  nonNegative,
  object,
  sumCounts,
} from './snapshot-check.js';
import { STATS_SNAPSHOT_VERSION, type StatsSnapshot } from './stats-snapshot.js';
import { WINDOW_HOURS, WINDOW_MINUTES } from './window-counts.js';

// The full check of a Stats snapshot before anything is merged from it: the
// type of every field and the invariants that tie them together (sketch
// counts, bucket counts and moments all describe the same n points; the
// extremes bound the mean, the recent and top points and the spread). A
// snapshot that passes can be merged without NaN or a negative variance
// appearing in the receiver.

/** Most configured percentiles a snapshot may report. */
const MAX_PERCENTILES = 1024;
/** Bounds of the Stats options, which a snapshot's sketch must respect too. */
const MIN_ACCURACY = 1e-4;
const MAX_ACCURACY = 0.5;
const MIN_BINS = 16;
const MAX_BINS = 1 << 20;
const MAX_RECENT = 1 << 16;
const MAX_TOP = 1 << 12;

/**
 * Returns `s` if it is a well-formed Stats (Duration, Interval) snapshot;
 * throws `SUP_ERR_FASTSTAT_INVALID_SNAPSHOT` naming the first bad field
 * (prefixed with `path`) otherwise. Never throws anything else, whatever
 * `s` is. `nested` is for the `interval` inside a snapshot.
 */
export function validateStatsSnapshot(s: unknown, path = '', nested = false): StatsSnapshot {
  if (path === '') return check(s, '', nested);
  // Field names under `path` cost a string each: build them only to name
  // what failed, in a second pass over a snapshot the first pass refused.
  let first: unknown;
  try {
    return check(s, '', nested);
  } catch (error) {
    first = error;
  }
  check(s, path, nested);
  throw first;
}

function check(s: unknown, path: string, nested: boolean): StatsSnapshot {
  const at = (name: string) => (path === '' ? name : `${path}.${name}`);
  const o = object(path === '' ? 'snapshot' : path, s);
  if (o.type !== 'stats' && o.type !== 'duration' && o.type !== 'interval') {
    invalid(at('type'), "must be 'stats', 'duration' or 'interval'", o.type);
  }
  if (o.version !== STATS_SNAPSHOT_VERSION) {
    invalid(at('version'), `must be ${STATS_SNAPSHOT_VERSION}`, o.version);
  }
  const n = count(at('n'), o.n);
  count(at('nonFinite'), o.nonFinite);
  if (o.negative !== undefined) count(at('negative'), o.negative);

  // Extremes first: the other checks lean on them.
  let min = 0;
  let max = 0;
  if (n === 0) {
    if (o.min !== null) invalid(at('min'), 'must be null when n is 0', o.min);
    if (o.max !== null) invalid(at('max'), 'must be null when n is 0', o.max);
  } else {
    min = finite(at('min'), o.min);
    max = finite(at('max'), o.max);
    if (min > max) invalid(at('max'), `must be >= min (${min})`, max);
  }
  const slack = 1e-9 * Math.max(Math.abs(min), Math.abs(max), Number.MIN_VALUE) + 1e-300;
  const within = (field: string, value: number) => {
    if (n > 0 && (value < min - slack || value > max + slack)) {
      invalid(field, `must lie within [min, max] = [${min}, ${max}]`, value);
    }
  };
  for (const name of ['minTime', 'maxTime', 'lastTime']) {
    if (o[name] !== null) epochMs(at(name), o[name]);
  }

  const moments = object(at('moments'), o.moments);
  if (moments.n !== n) invalid(at('moments.n'), `must equal n (${n})`, moments.n);
  const mean = finite(at('moments.mean'), moments.mean);
  const m2 = nonNegative(at('moments.m2'), moments.m2);
  const m3 = finite(at('moments.m3'), moments.m3);
  const m4 = nonNegative(at('moments.m4'), moments.m4);
  if (n > 0) {
    within(at('moments.mean'), mean);
    // Popoviciu: a variance is at most (max - min)^2 / 4.
    const bound = ((max - min) * (max - min)) / 4;
    if (m2 / n > bound * (1 + 1e-6) + slack * slack) {
      invalid(at('moments.m2'), `gives a variance above (max - min)^2 / 4 = ${bound}`, m2);
    }
  }

  // Cauchy-Schwarz on the deviations: m3^2 <= m2 m4 and m2^2 <= n m4 (so a
  // spread of 0 has no third or fourth moment either).
  if (m3 * m3 > m2 * m4 * (1 + 1e-6) + 1e-300) {
    invalid(at('moments.m3'), 'must satisfy m3^2 <= m2 * m4', m3);
  }
  if (m2 * m2 > n * m4 * (1 + 1e-6) + 1e-300) {
    invalid(at('moments.m4'), 'must satisfy m2^2 <= n * m4', m4);
  }

  finiteOrNull(at('sumLog'), o.sumLog);
  if (o.sumInverse !== null) nonNegative(at('sumInverse'), o.sumInverse);
  const nonPositive = count(at('nonPositive'), o.nonPositive);
  if (nonPositive > n) invalid(at('nonPositive'), `must be <= n (${n})`, nonPositive);

  const percentiles = array(at('percentiles'), o.percentiles, MAX_PERCENTILES);
  for (let i = 0; i < percentiles.length; i++) {
    const pair = percentiles[i] as unknown[];
    const fine =
      Array.isArray(pair) &&
      pair.length === 2 &&
      typeof pair[0] === 'number' &&
      pair[0] >= 0 &&
      pair[0] <= 1 &&
      (n === 0
        ? pair[1] === null
        : typeof pair[1] === 'number' && pair[1] >= min - slack && pair[1] <= max + slack);
    if (fine) continue;
    // The detailed checks, which name the field, only for a bad pair.
    const field = at(`percentiles[${i}]`);
    const [q, value] = arrayOf(field, pair, 2);
    const qv = finite(`${field}[0]`, q);
    if (qv < 0 || qv > 1) invalid(`${field}[0]`, 'must be in [0, 1]', q);
    if (n === 0) {
      if (value !== null) invalid(`${field}[1]`, 'must be null when n is 0', value);
    } else within(`${field}[1]`, finite(`${field}[1]`, value));
  }

  const sketch = validateSketch(at('sketch'), o.sketch);
  if (sketch.total !== n) {
    invalid(at('sketch'), `counts must sum to n (${n})`, sketch.total);
  }
  if (sketch.nonPositive !== nonPositive) {
    invalid(
      at('sketch'),
      `zero and negative counts must sum to nonPositive (${nonPositive})`,
      sketch.nonPositive,
    );
  }

  const buckets = arrayOf(at('buckets'), o.buckets, BUCKET_COUNT);
  const bucketTotal = sumCounts(at('buckets'), buckets);
  if (bucketTotal !== n) invalid(at('buckets'), `must sum to n (${n})`, bucketTotal);
  if ((buckets[0] as number) < nonPositive) {
    invalid(
      at('buckets[0]'),
      `must count every point <= 0 (nonPositive ${nonPositive})`,
      buckets[0],
    );
  }

  if (o.expoAvgs !== null) {
    const avgs = arrayOf(at('expoAvgs'), o.expoAvgs, 6);
    for (let i = 0; i < avgs.length; i++) {
      const v = avgs[i];
      if (typeof v === 'number' && v >= min - slack && v <= max + slack) continue;
      within(at(`expoAvgs[${i}]`), finite(at(`expoAvgs[${i}]`), v));
    }
  }
  for (const [name, limit] of [
    ['recent', MAX_RECENT],
    ['top', MAX_TOP],
  ] as const) {
    if (o[name] === null) continue;
    const points = array(at(name), o[name], Math.min(limit, n));
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as unknown[];
      const fine =
        Array.isArray(p) &&
        p.length === 2 &&
        typeof p[0] === 'number' &&
        Math.abs(p[0]) <= MAX_EPOCH_MS &&
        typeof p[1] === 'number' &&
        p[1] >= min - slack &&
        p[1] <= max + slack;
      if (fine) continue;
      // The detailed checks, which name the field, only for a bad point.
      const field = at(`${name}[${i}]`);
      const [time, value] = arrayOf(field, p, 2);
      epochMs(`${field}[0]`, time);
      within(`${field}[1]`, finite(`${field}[1]`, value));
    }
  }
  if (o.windowCounts !== null) validateWindowCounts(at('windowCounts'), o.windowCounts, n);
  if (o.interval !== null) {
    if (nested) invalid(at('interval'), 'must be null in an interval', o.interval);
    const interval = validateStatsSnapshot(o.interval, at('interval'), true);
    if (interval.n > n) invalid(at('interval.n'), `must be <= n (${n})`, interval.n);
  }
  return o as unknown as StatsSnapshot;
}

/** The range of a JavaScript Date: times beyond it cannot be converted to clock time and back. */
const MAX_EPOCH_MS = 8.64e15;

/** A wall-clock time in epoch milliseconds. */
function epochMs(field: string, value: unknown): number {
  const ms = finite(field, value);
  if (Math.abs(ms) > MAX_EPOCH_MS)
    invalid(field, `must be a time within ±${MAX_EPOCH_MS} ms of the epoch`, ms);
  return ms;
}

/** Checks a log sketch snapshot; returns its total count and its points <= 0. */
export function validateSketch(
  field: string,
  value: unknown,
): { total: number; nonPositive: number } {
  const s = object(field, value);
  if (s.mapping !== 'log' && s.mapping !== 'binary') {
    invalid(`${field}.mapping`, "must be 'log' or 'binary'", s.mapping);
  }
  const accuracy = finite(`${field}.relativeAccuracy`, s.relativeAccuracy);
  if (accuracy < MIN_ACCURACY || accuracy > MAX_ACCURACY) {
    invalid(`${field}.relativeAccuracy`, `must be in [${MIN_ACCURACY}, ${MAX_ACCURACY}]`, accuracy);
  }
  const maxBins = integer(`${field}.maxBins`, s.maxBins, MIN_BINS, MAX_BINS);
  const zero = count(`${field}.zero`, s.zero);
  const keys = keyRange(s.mapping as MappingKind, accuracy);
  const positive = validateStore(`${field}.positive`, s.positive, maxBins, keys);
  const negative = validateStore(`${field}.negative`, s.negative, maxBins, keys);
  return { total: zero + positive + negative, nonPositive: zero + negative };
}

/**
 * Key ranges by mapping kind, then accuracy: the snapshots of a service share
 * a few, and making a mapping costs a logarithm or two per check.
 */
const keyRanges = { log: new Map<number, KeyRange>(), binary: new Map<number, KeyRange>() };
type KeyRange = { min: number; max: number };

/** The lowest and highest key of a mapping (of the keys of positive finite values). */
function keyRange(kind: MappingKind, accuracy: number): KeyRange {
  const byAccuracy = keyRanges[kind];
  let keys = byAccuracy.get(accuracy);
  if (keys === undefined) {
    const mapping = createMapping(kind, accuracy);
    keys = { min: mapping.key(Number.MIN_VALUE), max: mapping.key(Number.MAX_VALUE) };
    // Bounded: accuracies come from snapshots, which may be anything.
    if (byAccuracy.size >= 64) byAccuracy.clear();
    byAccuracy.set(accuracy, keys);
  }
  return keys;
}

/** Checks a log store snapshot; returns its total count. */
function validateStore(
  field: string,
  value: unknown,
  maxBins: number,
  keys: { min: number; max: number },
): number {
  const s = object(field, value);
  const counts = array(`${field}.counts`, s.counts, maxBins);
  const offset = integer(`${field}.offset`, s.offset, keys.min, keys.max);
  if (counts.length > 0 && offset + counts.length - 1 > keys.max) {
    invalid(`${field}.counts`, `reach past the highest key (${keys.max})`, counts);
  }
  const total = sumCounts(`${field}.counts`, counts);
  if (!Number.isSafeInteger(total)) invalid(`${field}.counts`, 'must sum to a safe integer', total);
  return total;
}

/** Checks per-minute and per-hour counts: epoch-aligned slots, each count <= n. */
function validateWindowCounts(field: string, value: unknown, n: number): void {
  const w = object(field, value);
  // Slots of times a Date can hold, like every other time in a snapshot.
  const maxMinute = MAX_EPOCH_MS / 60_000;
  const minute = integer(`${field}.minute`, w.minute, -maxMinute, maxMinute);
  const hour = integer(`${field}.hour`, w.hour, -maxMinute / 60, maxMinute / 60);
  if (hour !== Math.floor(minute / 60)) {
    invalid(`${field}.hour`, `must be the hour of minute ${minute}`, hour);
  }
  for (const [name, length] of [
    ['perMinute', WINDOW_MINUTES],
    ['perHour', WINDOW_HOURS],
  ] as const) {
    const total = sumCounts(`${field}.${name}`, arrayOf(`${field}.${name}`, w[name], length));
    if (total > n) invalid(`${field}.${name}`, `must sum to at most n (${n})`, total);
  }
}

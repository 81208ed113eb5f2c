// Families of faststat statistics: a summary (quantiles, _sum, _count) and a
// histogram from the fixed 1-2-5 buckets (cumulative, +Inf, _sum, _count).
// Durations and intervals are milliseconds in faststat and seconds here.
import { BUCKET_BOUNDS, Stats, type StatsSnapshot } from '@support/faststat';
import type { Family, Labels, Sample } from './family.js';

/** One label set of a statistic: the merged one or one worker's. */
export interface StatSeries {
  labels: Labels;
  snapshot: StatsSnapshot | undefined;
}

/** `le` label values of the 1-2-5 bounds, in the unit and in seconds (bound / 1000), exact. */
const LE = Array.from(BUCKET_BOUNDS, (b) => String(b));
const LE_SECONDS = Array.from(BUCKET_BOUNDS, (b) => {
  const [mantissa, exponent] = b.toExponential().split('e');
  return String(Number(`${mantissa}e${Number(exponent) - 3}`));
});
const BOUND_COUNT = BUCKET_BOUNDS.length;

/** True for something shaped like a faststat StatsSnapshot (not a registry's `{ error }`). */
export function isStatsSnapshot(value: unknown): value is StatsSnapshot {
  const s = value as StatsSnapshot | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.n === 'number' &&
    typeof s.moments === 'object' &&
    s.moments !== null &&
    Array.isArray(s.buckets)
  );
}

/** The value at quantile q: from the snapshot's percentiles, else from its sketch. */
function quantileOf(s: StatsSnapshot, q: number, cache: { stats?: Stats }): number {
  if (s.n === 0) return Number.NaN;
  for (const [pq, value] of s.percentiles ?? []) if (pq === q) return value ?? Number.NaN;
  try {
    cache.stats ??= Stats.fromSnapshot(s);
    return cache.stats.quantile(q);
  } catch {
    return Number.NaN;
  }
}

/** A summary family of one statistic over its series; `scale` turns the unit into the exposed one. */
export function summaryFamily(
  name: string,
  help: string,
  series: readonly StatSeries[],
  quantiles: readonly number[],
  scale: number,
): Family {
  const out: Sample[][] = [];
  for (const { labels, snapshot: s } of series) {
    if (s === undefined) continue;
    const cache = {};
    const samples: Sample[] = quantiles.map((q) => ({
      suffix: '',
      labels: [...labels, ['quantile', String(q)]],
      value: quantileOf(s, q, cache) * scale,
    }));
    samples.push(
      { suffix: '_sum', labels, value: s.n > 0 ? s.moments.mean * s.n * scale : 0 },
      { suffix: '_count', labels, value: s.n },
    );
    out.push(samples);
  }
  return { name, type: 'summary', help, series: out };
}

/**
 * A histogram family of one statistic over its series. Every series shows
 * the same buckets: those from the lowest to the highest bound that any
 * series has points in (below, the cumulative count is 0; above, it is the
 * total), then `+Inf`. The overflow bucket counts only in `+Inf`.
 */
export function histogramFamily(
  name: string,
  help: string,
  series: readonly StatSeries[],
  seconds: boolean,
): Family {
  let lo = BOUND_COUNT;
  let hi = -1;
  for (const { snapshot: s } of series) {
    if (s === undefined) continue;
    for (let k = 0; k < BOUND_COUNT; k++) {
      if ((s.buckets[k] ?? 0) > 0) {
        if (k < lo) lo = k;
        if (k > hi) hi = k;
      }
    }
  }
  const le = seconds ? LE_SECONDS : LE;
  const scale = seconds ? 1e-3 : 1;
  const out: Sample[][] = [];
  for (const { labels, snapshot: s } of series) {
    if (s === undefined) continue;
    const samples: Sample[] = [];
    let cumulative = 0;
    for (let k = 0; k < lo; k++) cumulative += s.buckets[k] ?? 0;
    for (let k = lo; k <= hi; k++) {
      cumulative += s.buckets[k] ?? 0;
      samples.push({ suffix: '_bucket', labels: [...labels, ['le', le[k]!]], value: cumulative });
    }
    let total = 0;
    for (const c of s.buckets) total += c;
    samples.push(
      { suffix: '_bucket', labels: [...labels, ['le', '+Inf']], value: total },
      { suffix: '_sum', labels, value: s.n > 0 ? s.moments.mean * s.n * scale : 0 },
      { suffix: '_count', labels, value: total },
    );
    out.push(samples);
  }
  return { name, type: 'histogram', help, series: out };
}

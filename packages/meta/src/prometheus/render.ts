// renderPrometheus: a context snapshot (one process's, or the merge of a
// prefork's workers) as Prometheus text 0.0.4 or OpenMetrics 1.0.
import type { ContextSnapshot } from '@support/context';
import { codes, MetaError } from '../errors.js';
import { type Family, Names, renderFamily, sampleCount } from './family.js';
import { internalFamilies } from './internals.js';
import { type PrometheusOptions, resolvePrometheusOptions } from './options.js';
import { isProcessStat, processFamilies } from './process.js';
import { histogramFamily, isStatsSnapshot, type StatSeries, summaryFamily } from './stats.js';
import { sanitizeName } from './text.js';
import type { View } from './view.js';

/** Content type of the Prometheus text format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Content type of OpenMetrics 1.0 text. */
export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

/**
 * Whether a scraper's Accept header asks for OpenMetrics (listed with a
 * non-zero q), and the content type to answer with.
 */
export function negotiateMetricsFormat(accept: string | undefined): {
  openMetrics: boolean;
  contentType: string;
} {
  const openMetrics = (accept ?? '').split(',').some((part) => {
    const [type, ...params] = part.trim().split(';');
    if (type?.trim().toLowerCase() !== 'application/openmetrics-text') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
  return {
    openMetrics,
    contentType: openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
  };
}

const STAT_FIELDS = [
  ['stats', false, 'Statistic'],
  ['durations', true, 'Duration'],
  ['intervals', true, 'Time between events'],
  ['volatileStats', false, 'Volatile statistic'],
] as const;

/**
 * Every statistic of `snapshot` (summaries with quantiles and 1-2-5
 * histograms), the process and runtime metrics under prom-client's names,
 * and the context's own counters and gauges, as one exposition. No sample
 * name repeats: statistic names that sanitize alike get `_2`, `_3`, ….
 */
export function renderPrometheus(snapshot: ContextSnapshot, options?: PrometheusOptions): string {
  if (typeof snapshot !== 'object' || snapshot === null)
    throw new MetaError(
      codes.INVALID_OPTION,
      'renderPrometheus(snapshot) needs a context snapshot',
    );
  const o = resolvePrometheusOptions(options);
  const p = o.prefix;
  const views = viewsOf(snapshot, o.workerSnapshots, o.workerLabels);
  const names = new Names();
  const dropped = names.claim(`${p}meta_series_dropped`, 'counter');
  const mergedName = names.claim(`${p}meta_snapshots_merged`, 'gauge');
  const candidates: Family[] = [];
  const push = (family: Family) => {
    if (family.series.length === 0) return;
    family.name = names.claim(family.name, family.type);
    candidates.push(family);
  };
  for (const f of processFamilies(views)) push(f);
  for (const f of internalFamilies(p, views, o.quantiles)) push(f);
  for (const [field, isTime, what] of STAT_FIELDS) {
    for (const name of statNames(views, field)) {
      const series: StatSeries[] = views.map((v) => ({
        labels: v.labels,
        snapshot: statSnapshot(v.snapshot, field, name),
      }));
      // With an empty prefix a name may start with a digit, which a metric name may not
      // (and a leading underscore is reserved in OpenMetrics).
      const base = `${p}${sanitizeName(name) || 'unnamed'}`.replace(/^(?=[0-9])/, 'stat_');
      const help = `${what} ${name}${isTime ? ' (seconds)' : ''}`;
      if (o.summaries)
        push(
          summaryFamily(
            `${base}${isTime ? '_seconds' : ''}`,
            help,
            series,
            o.quantiles,
            isTime ? 1e-3 : 1,
          ),
        );
      if (o.histograms)
        push(histogramFamily(`${base}_histogram${isTime ? '_seconds' : ''}`, help, series, isTime));
    }
  }
  // The cap: a family that does not fit is cut to its first (merged) series, else left out.
  const kept: Family[] = [];
  let budget = o.maxSeries;
  let droppedSamples = 0;
  for (const family of candidates) {
    const n = sampleCount(family);
    if (n <= budget) {
      kept.push(family);
      budget -= n;
      continue;
    }
    const first = family.series[0]!;
    if (family.series.length > 1 && first.length <= budget) {
      kept.push({ ...family, series: [first] });
      budget -= first.length;
      droppedSamples += n - first.length;
    } else {
      droppedSamples += n;
    }
  }
  const out: string[] = [];
  renderFamily(
    out,
    {
      name: dropped,
      type: 'counter',
      help: 'Samples left out of this exposition by the maxSeries cap.',
      series: [[{ suffix: '_total', labels: [], value: droppedSamples }]],
    },
    o.openMetrics,
  );
  renderFamily(
    out,
    {
      name: mergedName,
      type: 'gauge',
      help: 'Process snapshots merged into this exposition.',
      series: [[{ suffix: '', labels: [], value: snapshot.merged?.count ?? 1 }]],
    },
    o.openMetrics,
  );
  for (const family of kept) renderFamily(out, family, o.openMetrics);
  if (o.openMetrics) out.push('# EOF\n');
  return out.join('');
}

function viewsOf(
  snapshot: ContextSnapshot,
  workers: ReadonlyArray<{ worker: string; snapshot: ContextSnapshot }> | undefined,
  labelled: boolean,
): View[] {
  if (workers === undefined || workers.length === 0) return [{ labels: [], snapshot }];
  const parts = workers.map((w) => w.snapshot);
  if (!labelled) return [{ labels: [], snapshot, parts }];
  return [
    { labels: [['worker', 'all']], snapshot, parts },
    ...workers.map((w): View => ({ labels: [['worker', w.worker]], snapshot: w.snapshot })),
  ];
}

type StatField = (typeof STAT_FIELDS)[number][0];

function statNames(views: readonly View[], field: StatField): string[] {
  const names = new Set<string>();
  for (const { snapshot } of views) {
    for (const name of Object.keys(snapshot[field] ?? {})) {
      if (!isProcessStat(field, name)) names.add(name);
    }
  }
  return [...names];
}

function statSnapshot(s: ContextSnapshot, field: StatField, name: string) {
  const value = (s[field] as Record<string, unknown> | undefined)?.[name];
  return isStatsSnapshot(value) ? value : undefined;
}

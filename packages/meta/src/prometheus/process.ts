// Process and runtime metrics under the names prom-client's default metrics
// use, so existing dashboards work, computed from what the context's monitor
// records (MONITOR_STATS). See the README for how each is derived.
import { type ContextSnapshot, MONITOR_STATS } from '@support/context';
import type { Family, Labels, Sample } from './family.js';
import { histogramFamily, type StatSeries } from './stats.js';
import { averaged, latest, statOf, summed, type View } from './view.js';

const M = MONITOR_STATS;

/** Statistics rendered here rather than as generic summaries. */
export function isProcessStat(field: string, name: string): boolean {
  if (field === 'durations') return name.startsWith(M.gc);
  if (field !== 'stats') return false;
  return (
    name === M.loopDelayMean ||
    name === M.loopDelayMax ||
    name === M.loopUtilization ||
    name === M.heapUsed ||
    name === M.heapTotal ||
    name === M.rss ||
    name === M.external ||
    name === M.cpuUser ||
    name === M.cpuSystem ||
    name.startsWith(M.resources)
  );
}

/** Resource types that are requests (one operation in flight) rather than handles. */
const REQUEST_TYPE = /Req|WriteWrap|ShutdownWrap|ConnectWrap/;

type Value = (view: View) => number | undefined;

function gauge(name: string, help: string, views: readonly View[], value: Value): Family {
  return familyOf(name, 'gauge', help, views, value);
}

/** A counter; `name` is its sample name, ending in `_total`. */
function counter(name: string, help: string, views: readonly View[], value: Value): Family {
  return familyOf(name.replace(/_total$/, ''), 'counter', help, views, value, '_total');
}

function familyOf(
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  views: readonly View[],
  value: Value,
  suffix: '' | '_total' = '',
): Family {
  const series: Sample[][] = [];
  for (const view of views) {
    const v = value(view);
    if (v !== undefined && !Number.isNaN(v))
      series.push([{ suffix, labels: view.labels, value: v }]);
  }
  return { name, type, help, series };
}

/**
 * CPU seconds from the monitor's per-interval percentages of one core:
 * Σ percent / 100 × interval. Additive, so a merged snapshot gives the sum
 * over its processes.
 */
function cpuSeconds(s: ContextSnapshot, stat: string): number | undefined {
  const st = statOf(s, 'stats', stat);
  if (st === undefined) return undefined;
  const intervalMs = s.config?.monitorInterval ?? 100;
  return st.n > 0 ? (st.moments.mean * st.n * intervalMs) / 100 / 1000 : 0;
}

/** Resource types seen by the monitor in any view. */
function resourceTypes(views: readonly View[]): string[] {
  const types = new Set<string>();
  for (const { snapshot } of views) {
    for (const name of Object.keys(snapshot.stats ?? {})) {
      if (name.startsWith(M.resources)) types.add(name.slice(M.resources.length));
    }
  }
  return [...types].sort();
}

/**
 * Active resources of one type in one process now: the last count, or 0 when
 * the type was missing from the latest sample (the monitor records only the
 * types present, in the same sample as the memory figures).
 */
function resourceCount(s: ContextSnapshot, type: string): number | undefined {
  const st = statOf(s, 'stats', `${M.resources}${type}`);
  if (st === undefined) return undefined;
  const sampledAt = statOf(s, 'stats', M.rss)?.lastTime;
  if (sampledAt != null && st.lastTime != null && st.lastTime < sampledAt - 1) return 0;
  return latest(st);
}

function resourceTotal(
  types: readonly string[],
  view: View,
  keep: (type: string) => boolean,
): number | undefined {
  let total: number | undefined;
  for (const type of types) {
    if (!keep(type)) continue;
    const v = summed(view, `${M.resources}${type}`, (s) => resourceCount(s, type));
    if (v !== undefined) total = (total ?? 0) + v;
  }
  return total;
}

const ms = (v: number | undefined) => (v === undefined ? undefined : v / 1000);

/** Every process and runtime family, in prom-client's names. */
export function processFamilies(views: readonly View[]): Family[] {
  const stat = (view: View, name: string) => statOf(view.snapshot, 'stats', name);
  const lag = (view: View) => stat(view, M.loopDelayMean);
  const cpuUser = (view: View) => cpuSeconds(view.snapshot, M.cpuUser);
  const cpuSystem = (view: View) => cpuSeconds(view.snapshot, M.cpuSystem);
  const types = resourceTypes(views);
  const families: Family[] = [
    counter('process_cpu_user_seconds_total', 'User CPU time spent in seconds.', views, cpuUser),
    counter(
      'process_cpu_system_seconds_total',
      'System CPU time spent in seconds.',
      views,
      cpuSystem,
    ),
    counter(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      views,
      (v) => {
        const u = cpuUser(v);
        const s = cpuSystem(v);
        return u === undefined && s === undefined ? undefined : (u ?? 0) + (s ?? 0);
      },
    ),
    gauge(
      'process_start_time_seconds',
      'Start time of the process since unix epoch in seconds (when its context was created).',
      views,
      (v) => v.snapshot.createdAt / 1000,
    ),
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', views, (v) =>
      summed(v, M.rss),
    ),
    gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', views, (v) =>
      summed(v, M.heapTotal),
    ),
    gauge(
      'nodejs_heap_size_used_bytes',
      'Process heap size used from Node.js in bytes.',
      views,
      (v) => summed(v, M.heapUsed),
    ),
    gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', views, (v) =>
      summed(v, M.external),
    ),
    gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', views, (v) =>
      ms(averaged(v, M.loopDelayMean)),
    ),
    gauge(
      'nodejs_eventloop_lag_min_seconds',
      'The minimum recorded event loop delay.',
      views,
      (v) => ms(lag(v)?.min ?? undefined),
    ),
    gauge(
      'nodejs_eventloop_lag_max_seconds',
      'The maximum recorded event loop delay.',
      views,
      (v) => ms(stat(v, M.loopDelayMax)?.max ?? undefined),
    ),
    gauge(
      'nodejs_eventloop_lag_mean_seconds',
      'The mean of the recorded event loop delays.',
      views,
      (v) => {
        const s = lag(v);
        return s && s.n > 0 ? s.moments.mean / 1000 : undefined;
      },
    ),
    gauge(
      'nodejs_eventloop_lag_stddev_seconds',
      'The standard deviation of the recorded event loop delays.',
      views,
      (v) => {
        const s = lag(v);
        return s && s.n > 0 ? Math.sqrt(s.moments.m2 / s.n) / 1000 : undefined;
      },
    ),
    ...[0.5, 0.9, 0.99].map((q) =>
      gauge(
        `nodejs_eventloop_lag_p${Math.round(q * 100)}_seconds`,
        `The ${Math.round(q * 100)}th percentile of the recorded event loop delays.`,
        views,
        (v) => {
          const s = lag(v);
          const value = s?.percentiles?.find(([pq]) => pq === q)?.[1];
          return value == null ? undefined : value / 1000;
        },
      ),
    ),
    gauge(
      'nodejs_eventloop_utilization',
      'Fraction of time the event loop was busy over the last monitor interval.',
      views,
      (v) => averaged(v, M.loopUtilization),
    ),
    resourcesByType(views, types),
    gauge('nodejs_active_resources_total', 'Total number of active resources.', views, (v) =>
      resourceTotal(types, v, () => true),
    ),
    gauge(
      'nodejs_active_handles_total',
      'Total number of active handles (active resources other than requests).',
      views,
      (v) => resourceTotal(types, v, (t) => !REQUEST_TYPE.test(t)),
    ),
    gauge('nodejs_active_requests_total', 'Total number of active requests.', views, (v) =>
      resourceTotal(types, v, (t) => REQUEST_TYPE.test(t)),
    ),
    gcFamily(views),
  ];
  return families.filter((f) => f.series.length > 0);
}

function resourcesByType(views: readonly View[], types: readonly string[]): Family {
  const series: Sample[][] = [];
  for (const view of views) {
    const samples: Sample[] = [];
    for (const type of types) {
      const v = summed(view, `${M.resources}${type}`, (s) => resourceCount(s, type));
      if (v !== undefined)
        samples.push({ suffix: '', labels: [...view.labels, ['type', type]], value: v });
    }
    if (samples.length > 0) series.push(samples);
  }
  return {
    name: 'nodejs_active_resources',
    type: 'gauge',
    help: 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
    series,
  };
}

function gcFamily(views: readonly View[]): Family {
  const kinds = new Set<string>();
  for (const { snapshot } of views) {
    for (const name of Object.keys(snapshot.durations ?? {})) {
      if (name.startsWith(M.gc)) kinds.add(name.slice(M.gc.length));
    }
  }
  const series: StatSeries[] = [];
  for (const view of views) {
    for (const kind of [...kinds].sort()) {
      const labels: Labels = [...view.labels, ['kind', kind]];
      series.push({ labels, snapshot: statOf(view.snapshot, 'durations', `${M.gc}${kind}`) });
    }
  }
  return histogramFamily(
    'nodejs_gc_duration_seconds',
    'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    series,
    true,
  );
}

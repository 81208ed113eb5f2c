import type { ContextSnapshot } from '@support/context';
import { BUCKET_BOUNDS, EXPO_RATES, Stats, type StatsSnapshot } from '@support/faststat';
import { HTTPError, html } from '@support/web';
import { format } from '../html/format.js';
import { dataScript, kv, table } from '../html/layout.js';
import { limit, q, snapshot, type View } from './view.js';

/** The registries of a snapshot that hold Stats snapshots, in lookup order. */
export const STAT_KINDS = ['stats', 'durations', 'intervals', 'volatileStats'] as const;
export type StatKind = (typeof STAT_KINDS)[number];

/** One line of `/stats`. */
export interface StatRow {
  name: string;
  kind: StatKind;
  n: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  lastTime: number | null;
}

/** The value of percentile q from the snapshot's pairs (null when not kept). */
export function percentile(s: StatsSnapshot, qq: number): number | null {
  for (const [k, value] of s.percentiles ?? []) if (Math.abs(k - qq) < 1e-9) return value;
  return null;
}

function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export function statRow(name: string, kind: StatKind, s: StatsSnapshot): StatRow {
  return {
    name,
    kind,
    n: s.n,
    mean: s.n > 0 ? finite(s.moments?.mean) : null,
    min: s.min,
    max: s.max,
    p50: percentile(s, 0.5),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    lastTime: s.lastTime,
  };
}

/** Every statistic of a snapshot whose name starts with `prefix`, sorted by name. */
export function statRows(snap: ContextSnapshot, prefix = ''): StatRow[] {
  const rows: StatRow[] = [];
  for (const kind of STAT_KINDS) {
    for (const [name, s] of Object.entries(snap[kind] ?? {})) {
      if (name.startsWith(prefix) && s && typeof s === 'object') rows.push(statRow(name, kind, s));
    }
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The snapshot of one statistic, looked up by kind (or in every registry). */
export function findStat(
  snap: ContextSnapshot,
  name: string,
  kind?: string,
): { kind: StatKind; stat: StatsSnapshot } | undefined {
  for (const k of STAT_KINDS) {
    if (kind !== undefined && kind !== k) continue;
    const stat = (snap[k] as Record<string, StatsSnapshot> | undefined)?.[name];
    if (stat) return { kind: k, stat };
  }
  return undefined;
}

export function statHref(
  base: string,
  row: { name: string; kind: StatKind },
  worker?: string,
): string {
  const w = worker === undefined ? '' : `&worker=${encodeURIComponent(worker)}`;
  return `${base}/stats/${encodeURIComponent(row.name)}?kind=${row.kind}${w}`;
}

const KIND_LABEL: Record<StatKind, string> = {
  stats: 'stat',
  durations: 'duration ms',
  intervals: 'interval ms',
  volatileStats: 'volatile',
};

export interface StatsData {
  prefix: string;
  worker: string | null;
  total: number;
  shown: number;
  stats: StatRow[];
}

export const statsView: View<StatsData> = {
  path: '/stats',
  title: 'Statistics',
  async data(v) {
    const prefix = q(v, 'prefix') ?? '';
    const all = statRows(await snapshot(v), prefix);
    const rows = all.slice(0, limit(v));
    return { prefix, worker: v.worker ?? null, total: all.length, shown: rows.length, stats: rows };
  },
  page(d, v) {
    return html`<form class="filter" method="get"><label>name prefix <input name="prefix" id="filter" value="${d.prefix}" placeholder="e.g. loop." autocomplete="off"></label>
${v.worker !== undefined ? html`<input type="hidden" name="worker" value="${v.worker}">` : html``}
<button>Filter</button> <span class="muted">${d.shown} of ${d.total} · press / to filter</span></form>
${table(
  ['name', 'kind', 'n', 'mean', 'min', 'p50', 'p95', 'p99', 'max', 'last'],
  d.stats.map((r) => [
    html`<a href="${statHref(v.base, r, v.worker)}">${r.name}</a>`,
    KIND_LABEL[r.kind],
    format.num(r.n),
    format.num(r.mean),
    format.num(r.min),
    format.num(r.p50),
    format.num(r.p95),
    format.num(r.p99),
    format.num(r.max),
    format.ago(r.lastTime),
  ]),
  'stats num',
)}`;
  },
};

/** Buckets with counts, trimmed to the range that has any, with their upper bounds. */
export function bucketRows(s: StatsSnapshot): Array<{ le: number | '+Inf'; count: number }> {
  const counts = s.buckets ?? [];
  let first = counts.findIndex((c) => c > 0);
  if (first < 0) return [];
  let last = counts.length - 1;
  while (last > first && (counts[last] ?? 0) === 0) last--;
  first = Math.max(0, first);
  const out: Array<{ le: number | '+Inf'; count: number }> = [];
  for (let k = first; k <= last; k++) {
    out.push({
      le: k < BUCKET_BOUNDS.length ? (BUCKET_BOUNDS[k] as number) : '+Inf',
      count: counts[k] ?? 0,
    });
  }
  return out;
}

/** Fractional position of x among the buckets (log-interpolated inside its bucket). */
function bucketPosition(x: number, rows: Array<{ le: number | '+Inf' }>): number {
  for (let i = 0; i < rows.length; i++) {
    const le = rows[i]?.le;
    if (le === '+Inf' || (le as number) >= x) {
      const hi = le === '+Inf' ? x : (le as number);
      const idx = BUCKET_BOUNDS.indexOf(hi);
      const lo = idx > 0 ? (BUCKET_BOUNDS[idx - 1] as number) : hi / 2;
      const frac = x > lo && hi > lo && lo > 0 ? Math.log(x / lo) / Math.log(hi / lo) : 1;
      return i - 0.5 + Math.min(1, Math.max(0, frac));
    }
  }
  return rows.length - 0.5;
}

export interface StatDetail {
  name: string;
  kind: StatKind;
  worker: string | null;
  type: string;
  n: number;
  nonFinite: number;
  mean: number | null;
  stddev: number | null;
  skewness: number | null;
  kurtosis: number | null;
  min: number | null;
  max: number | null;
  minTime: number | null;
  maxTime: number | null;
  lastTime: number | null;
  percentiles: Array<{ q: number; value: number | null }>;
  buckets: Array<{ le: number | '+Inf'; count: number }>;
  expoAvgs: Array<{ rate: number; value: number }>;
  recent: Array<[number, number]>;
  top: Array<[number, number]>;
  windows: { perMinute: Array<[number, number]>; perHour: Array<[number, number]> } | null;
  interval: StatRow | null;
  snapshot: StatsSnapshot;
}

function derived(s: StatsSnapshot): {
  stddev: number | null;
  skewness: number | null;
  kurtosis: number | null;
} {
  try {
    const st = Stats.fromSnapshot(s);
    return {
      stddev: finite(st.stddev),
      skewness: finite(st.skewness),
      kurtosis: finite(st.kurtosis),
    };
  } catch {
    return { stddev: null, skewness: null, kurtosis: null };
  }
}

export const statView: View<StatDetail> = {
  path: '/stats',
  title: (d) => d.name,
  async data(v) {
    const name = v.params.name ?? '';
    const found = findStat(await snapshot(v), name, q(v, 'kind'));
    if (found === undefined)
      throw new HTTPError(404, `no statistic ${JSON.stringify(name.slice(0, 200))}`);
    const s = found.stat;
    const wc = s.windowCounts;
    return {
      name,
      kind: found.kind,
      worker: v.worker ?? null,
      type: s.type,
      n: s.n,
      nonFinite: s.nonFinite,
      mean: s.n > 0 ? finite(s.moments?.mean) : null,
      ...derived(s),
      min: s.min,
      max: s.max,
      minTime: s.minTime,
      maxTime: s.maxTime,
      lastTime: s.lastTime,
      percentiles: (s.percentiles ?? []).map(([qq, value]) => ({ q: qq, value })),
      buckets: bucketRows(s),
      expoAvgs: (s.expoAvgs ?? []).map((value, i) => ({ rate: EXPO_RATES[i] ?? 0, value })),
      recent: s.recent ?? [],
      top: s.top ?? [],
      windows: wc
        ? {
            perMinute: wc.perMinute.map((c, i) => [
              (wc.minute - wc.perMinute.length + 1 + i) * 60_000,
              c,
            ]),
            perHour: wc.perHour.map((c, i) => [
              (wc.hour - wc.perHour.length + 1 + i) * 3_600_000,
              c,
            ]),
          }
        : null,
      interval: s.interval ? statRow(`${name} (interval)`, 'intervals', s.interval) : null,
      snapshot: s,
    };
  },
  page(d, v) {
    const charts = {
      histogram: {
        labels: d.buckets.map((b) => (b.le === '+Inf' ? '+Inf' : `≤${format.num(b.le)}`)),
        counts: d.buckets.map((b) => b.count),
        markers: d.percentiles
          .filter(
            (p) => p.value !== null && [0.5, 0.95, 0.99].some((x) => Math.abs(x - p.q) < 1e-9),
          )
          .map((p) => ({
            label: `p${Math.round(p.q * 100)}`,
            x: bucketPosition(p.value as number, d.buckets),
          })),
      },
      recent: d.recent,
      perMinute: d.windows?.perMinute ?? [],
    };
    return html`<p class="muted">${KIND_LABEL[d.kind]} · <a href="${v.base}/stats?prefix=${d.name.split('.')[0]}">related</a> · <a href="${v.base}/statgraphs?prefix=${d.name}">graph</a></p>
<div class="cols">
<section>${kv([
      ['n', format.num(d.n)],
      ['non-finite', format.num(d.nonFinite)],
      ['mean', format.num(d.mean)],
      ['stddev', format.num(d.stddev)],
      ['skewness', format.num(d.skewness)],
      ['kurtosis', format.num(d.kurtosis)],
      ['min', html`${format.num(d.min)} <span class="muted">${format.ago(d.minTime)}</span>`],
      ['max', html`${format.num(d.max)} <span class="muted">${format.ago(d.maxTime)}</span>`],
      ['last point', format.ago(d.lastTime)],
    ])}
<div class="pair"><div><h2>Percentiles</h2>${table(
      ['q', 'value'],
      d.percentiles.map((p) => [`p${+(p.q * 100).toFixed(2)}`, format.num(p.value)]),
      'num',
    )}</div>
<div><h2>Exponential averages</h2>${table(
      ['rate', 'value'],
      d.expoAvgs.map((e) => [`1/${Math.round(1 / e.rate)}`, format.num(e.value)]),
      'num',
    )}</div></div>
${
  d.interval
    ? html`<h2>Interval between points (ms)</h2>${kv([
        ['n', format.num(d.interval.n)],
        ['mean', format.num(d.interval.mean)],
        ['p50', format.num(d.interval.p50)],
        ['p99', format.num(d.interval.p99)],
        ['max', format.num(d.interval.max)],
      ])}`
    : html``
}
</section>
<section class="charts">
<h2>Histogram (1-2-5 buckets) with p50 / p95 / p99</h2><div class="chart" data-chart="histogram" data-key="histogram"></div>
<h2>Recent points</h2><div class="chart" data-chart="series" data-key="recent"></div>
<h2>Points per minute (last hour)</h2><div class="chart" data-chart="bars" data-key="perMinute"></div>
</section></div>
<h2>Buckets</h2>${table(
      ['≤ upper bound', 'count'],
      d.buckets.map((b) => [b.le === '+Inf' ? '+Inf' : format.num(b.le), format.num(b.count)]),
      'num',
    )}
<h2>Top values</h2>${table(
      ['value', 'at'],
      d.top.map(([t, x]) => [format.num(x), format.time(t)]),
      'num',
    )}
${dataScript('chart-data', charts)}`;
  },
};

export interface StatGraphsData {
  prefix: string;
  worker: string | null;
  total: number;
  graphs: Array<{
    name: string;
    kind: StatKind;
    n: number;
    mean: number | null;
    recent: Array<[number, number]>;
  }>;
}

/** Most statistics drawn by /statgraphs at once. */
const MAX_GRAPHS = 60;

export const statGraphsView: View<StatGraphsData> = {
  path: '/statgraphs',
  title: 'Stat graphs',
  async data(v) {
    const prefix = q(v, 'prefix') ?? '';
    const snap = await snapshot(v);
    const rows = statRows(snap, prefix).filter((r) => r.n > 0);
    const graphs = rows.slice(0, limit(v, MAX_GRAPHS)).map((r) => {
      const s = (snap[r.kind] as Record<string, StatsSnapshot>)[r.name] as StatsSnapshot;
      return { name: r.name, kind: r.kind, n: r.n, mean: r.mean, recent: s.recent ?? [] };
    });
    return { prefix, worker: v.worker ?? null, total: rows.length, graphs };
  },
  page(d, v) {
    return html`<form class="filter" method="get"><label>name prefix <input name="prefix" id="filter" value="${d.prefix}" autocomplete="off"></label>
${v.worker !== undefined ? html`<input type="hidden" name="worker" value="${v.worker}">` : html``}
<button>Filter</button> <span class="muted">${d.graphs.length} of ${d.total} statistics with points</span></form>
<div class="grid">${d.graphs.map(
      (
        g,
        i,
      ) => html`<figure><figcaption><a href="${statHref(v.base, g, v.worker)}">${g.name}</a> <span class="muted">n ${format.num(g.n)} · mean ${format.num(g.mean)}</span></figcaption>
<div class="chart small" data-chart="series" data-key="${i}"></div></figure>`,
    )}</div>
${dataScript(
  'chart-data',
  d.graphs.map((g) => g.recent),
)}`;
  },
};

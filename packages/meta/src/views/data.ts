import type { LogRecord } from '@support/context';
import type { MarkovSnapshot, StatsSnapshot, StreamSketchSnapshot } from '@support/faststat';
import { HTTPError, html } from '@support/web';
import { format } from '../html/format.js';
import { kv, table } from '../html/layout.js';
import { limit, q, snapshot, type View } from './view.js';

export interface MarkovData {
  worker: string | null;
  machines: Array<{
    name: string;
    leaked: number;
    states: Array<{
      state: string;
      now: number;
      /** Stays in the state that have ended (the ones timed). */
      completed: number;
      meanMs: number | null;
      totalMs: number;
    }>;
    transitions: Array<{ from: string; to: string; count: number; meanIntervalMs: number | null }>;
    error?: string;
  }>;
}

function mean(s: StatsSnapshot | undefined): number | null {
  return s && s.n > 0 && Number.isFinite(s.moments?.mean) ? s.moments.mean : null;
}

export const markovView: View<MarkovData> = {
  path: '/markov',
  title: 'State machines',
  async data(v) {
    const snap = await snapshot(v);
    const machines = Object.entries(snap.markov ?? {})
      .slice(0, limit(v))
      .map(([name, raw]) => {
        const m = raw as MarkovSnapshot & { error?: string };
        if (m.error !== undefined)
          return { name, leaked: 0, states: [], transitions: [], error: m.error };
        const names = new Set([
          ...Object.keys(m.counts ?? {}),
          ...Object.keys(m.stateDurations ?? {}),
        ]);
        const states = [...names].sort().map((state) => {
          const d = m.stateDurations?.[state];
          return {
            state,
            now: m.counts?.[state] ?? 0,
            completed: d?.n ?? 0,
            meanMs: mean(d),
            totalMs: d ? d.n * (mean(d) ?? 0) : 0,
          };
        });
        const transitions = Object.entries(m.transitionIntervals ?? {}).flatMap(([from, tos]) =>
          Object.entries(tos).map(([to, s]) => ({
            from,
            to,
            // An Interval counts the gaps between ticks, one fewer than the transitions
            // (per worker, in a merged snapshot: there this is a lower bound).
            count: s.n + 1,
            meanIntervalMs: mean(s),
          })),
        );
        return { name, leaked: m.leaked ?? 0, states, transitions };
      });
    return { worker: v.worker ?? null, machines };
  },
  page(d) {
    if (d.machines.length === 0)
      return html`<p class="muted">No state machine recorded (context.markov).</p>`;
    return html`${d.machines.map(
      (
        m,
      ) => html`<section><h2>${m.name}</h2>${m.error ? html`<p class="error">${m.error}</p>` : html``}
<div class="cols"><div>${table(
        ['state', 'now', 'stays ended', 'mean time in state', 'total time'],
        m.states.map((s) => [
          s.state,
          format.num(s.now),
          format.num(s.completed),
          format.ms(s.meanMs),
          format.ms(s.totalMs),
        ]),
        'num',
      )}${m.leaked > 0 ? html`<p class="warn">${m.leaked} transitors collected without close()</p>` : html``}</div>
<div>${table(
        ['from', 'to', 'count', 'mean interval'],
        m.transitions.map((t) => [t.from, t.to, format.num(t.count), format.ms(t.meanIntervalMs)]),
        'num',
      )}</div></div></section>`,
    )}`;
  },
};

export interface SketchesData {
  worker: string | null;
  sketches: Array<{
    name: string;
    n: number;
    cardinality: number;
    heavyHitters: Array<{ item: string | number; count: number; error: number }>;
    error?: string;
  }>;
}

/** Heavy hitters listed per sketch. */
const TOP_ITEMS = 25;

export const sketchesView: View<SketchesData> = {
  path: '/sketches',
  title: 'Sketches',
  async data(v) {
    const snap = await snapshot(v);
    const sketches = Object.entries(snap.sketches ?? {})
      .slice(0, limit(v))
      .map(([name, raw]) => {
        const s = raw as StreamSketchSnapshot & { error?: string };
        if (s.error !== undefined)
          return { name, n: 0, cardinality: 0, heavyHitters: [], error: s.error };
        const entries = (s.heavyHitters?.entries ?? [])
          .slice()
          .sort((a, b) => b[1] - a[1])
          .slice(0, TOP_ITEMS)
          .map(([item, count, error]) => ({ item, count, error }));
        return { name, n: s.n, cardinality: s.cardinality, heavyHitters: entries };
      });
    return { worker: v.worker ?? null, sketches };
  },
  page(d) {
    if (d.sketches.length === 0)
      return html`<p class="muted">No sketch recorded (context.sketches).</p>`;
    return html`<div class="grid wide">${d.sketches.map(
      (
        s,
      ) => html`<section class="card"><h2>${s.name}</h2>${s.error ? html`<p class="error">${s.error}</p>` : html``}
${kv([
  ['items', format.num(s.n)],
  ['distinct (HyperLogLog)', format.num(Math.round(s.cardinality))],
])}
${table(
  ['heavy hitter', 'count', '± error', 'share'],
  s.heavyHitters.map((h) => [
    format.clip(String(h.item), 120),
    format.num(h.count),
    format.num(h.error),
    format.pct(s.n > 0 ? h.count / s.n : null),
  ]),
  'num',
)}</section>`,
    )}</div>`;
  },
};

export interface RecentData {
  worker: string | null;
  info: Record<string, unknown>;
  keys: Array<{ key: string; events: number; last: number | null }>;
}

function eventTime(e: unknown): number | null {
  const t = (e as { time?: unknown } | null)?.time;
  return typeof t === 'number' ? t : null;
}

export const recentView: View<RecentData> = {
  path: '/recent',
  title: 'Recent traffic',
  async data(v) {
    const snap = await snapshot(v);
    const { events = {}, ...info } = snap.recent ?? ({} as typeof snap.recent);
    const keys = Object.entries(events)
      .map(([key, list]) => ({ key, events: list.length, last: eventTime(list[list.length - 1]) }))
      .sort((a, b) => (b.last ?? 0) - (a.last ?? 0))
      .slice(0, limit(v));
    return { worker: v.worker ?? null, info: info as Record<string, unknown>, keys };
  },
  page(d, v) {
    const w = v.worker === undefined ? '' : `?worker=${encodeURIComponent(v.worker)}`;
    return html`${kv(Object.entries(d.info).map(([k, x]) => [k, String(x)]))}
${table(
  ['key', 'events', 'last'],
  d.keys.map((k) => [
    html`<a href="${v.base}/recent/${encodeURIComponent(k.key)}${w}">${k.key}</a>`,
    k.events,
    format.ago(k.last),
  ]),
)}`;
  },
};

export interface RecentKeyData {
  key: string;
  worker: string | null;
  events: unknown[];
}

export const recentKeyView: View<RecentKeyData> = {
  path: '/recent',
  title: (d) => `Recent: ${d.key}`,
  async data(v) {
    const key = v.params.key ?? '';
    const snap = await snapshot(v);
    const events = snap.recent?.events?.[key];
    if (events === undefined)
      throw new HTTPError(404, `no recent events under ${JSON.stringify(key.slice(0, 200))}`);
    return { key, worker: v.worker ?? null, events: events.slice(-limit(v)) };
  },
  page(d) {
    return table(
      ['time', 'direction', 'size', 'summary'],
      d.events
        .slice()
        .reverse()
        .map((raw) => {
          const e = raw as {
            time?: number;
            direction?: string;
            size?: number;
            summary?: string;
            pid?: number;
          };
          return [
            format.time(e.time),
            e.direction ?? '',
            format.num(e.size),
            html`<code>${e.summary ?? format.clip(raw)}</code>`,
          ];
        }),
      'events',
    );
  },
};

export interface LogsData {
  worker: string | null;
  level: string;
  filter: { level: string | null; logger: string | null };
  loggers: string[];
  total: number;
  records: LogRecord[];
}

const LEVEL_ORDER: Record<string, number> = { debug: 10, info: 20, warn: 30, critical: 40 };

export const logsView: View<LogsData> = {
  path: '/logs',
  title: 'Logs',
  async data(v) {
    const snap = await snapshot(v);
    const ring = (snap.log?.ring ?? []) as LogRecord[];
    const level = q(v, 'level') ?? null;
    const logger = q(v, 'logger') ?? null;
    const min = level === null ? 0 : (LEVEL_ORDER[level] ?? 0);
    const matching = ring.filter(
      (r) => (LEVEL_ORDER[r.level] ?? 0) >= min && (logger === null || r.logger === logger),
    );
    const records = matching.slice(-limit(v)).reverse();
    return {
      worker: v.worker ?? null,
      level: snap.log?.level ?? 'info',
      filter: { level, logger },
      loggers: [...new Set(ring.map((r) => r.logger))].sort(),
      total: matching.length,
      records,
    };
  },
  page(d, v) {
    const mutations = v.state.allowMutations;
    return html`<form class="filter" method="get">
<label>level ≥ <select name="level">${['', 'debug', 'info', 'warn', 'critical'].map((l) => html`<option value="${l}"${d.filter.level === (l || null) ? html` selected` : html``}>${l || 'any'}</option>`)}</select></label>
<label>logger <select name="logger"><option value="">any</option>${d.loggers.map((l) => html`<option${d.filter.logger === l ? html` selected` : html``}>${l}</option>`)}</select></label>
${v.worker !== undefined ? html`<input type="hidden" name="worker" value="${v.worker}">` : html``}
<button>Filter</button> <span class="muted">${d.records.length} of ${d.total} · default level ${d.level}</span></form>
${
  mutations
    ? html`<form class="inline" method="post" action="${v.base}/log-level${v.worker === undefined ? '' : `?worker=${encodeURIComponent(v.worker)}`}">
<label>set level <select name="level">${['debug', 'info', 'warn', 'critical'].map((l) => html`<option${d.level === l ? html` selected` : html``}>${l}</option>`)}</select></label>
<label>of logger <input name="logger" placeholder="all loggers" size="12"></label> <button>Apply</button></form>`
    : html``
}
${table(
  ['time', 'level', 'logger', 'action', 'outcome', 'duration', 'message'],
  d.records.map((r) => [
    format.time(r.end),
    html`<span class="lvl ${r.level}">${r.level}</span>`,
    r.logger,
    r.action,
    r.outcome,
    format.ms(r.durationMs),
    html`${format.clip(r.message, 400)}${r.error ? html` <span class="error">${r.error.name}: ${format.clip(r.error.message, 200)}</span>` : html``}`,
  ]),
  'logs',
)}`;
  },
};

import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os';
import { type ContextSnapshot, LONG_BLOCK_STAT, MONITOR_STATS } from '@support/context';
import type { StatsSnapshot } from '@support/faststat';
import { html } from '@support/web';
import { format } from '../html/format.js';
import { dataScript, kv, NAV, table } from '../html/layout.js';
import { type StatRow, statHref, statRow } from './stats.js';
import { snapshot, type View, type ViewInput } from './view.js';

/** The latest value of a statistic: its last recent point, else its mean. */
export function latest(s: StatsSnapshot | undefined): number | null {
  if (!s || s.n === 0) return null;
  const last = s.recent?.[s.recent.length - 1];
  if (last) return last[1];
  return Number.isFinite(s.moments?.mean) ? s.moments.mean : null;
}

function workerStates(workers: unknown[]): Record<string, number> {
  const states: Record<string, number> = {};
  for (const w of workers as Array<{ state?: unknown }>) {
    const s = typeof w?.state === 'string' ? w.state : 'unknown';
    states[s] = (states[s] ?? 0) + 1;
  }
  return states;
}

export interface OverviewData {
  service: {
    title: string;
    kind: 'process' | 'prefork';
    pid: number;
    hostname: string;
    node: string;
    platform: string;
    arch: string;
    startedAt: number;
    uptimeMs: number;
  };
  loadavg: number[];
  cpus: number;
  memory: {
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
    systemTotal: number;
    systemFree: number;
  };
  cpu: { userPercent: number | null; systemPercent: number | null };
  eventLoop: {
    delayMeanMs: number | null;
    delayMaxMs: number | null;
    utilization: number | null;
    longBlocks: number;
  };
  workers: { count: number; states: Record<string, number> };
  counts: Record<string, number>;
  snapshot: { pid: number; time: number; merged: unknown };
  views: Array<{ path: string; label: string }>;
}

export const overviewView: View<OverviewData> = {
  path: '/',
  title: 'Overview',
  async data(v) {
    const snap = await snapshot(v);
    const workers = await v.state.source.workers();
    const mem = process.memoryUsage();
    const st = snap.stats ?? {};
    return {
      service: {
        title: v.state.title,
        kind: v.state.source.kind,
        pid: process.pid,
        hostname: hostname(),
        node: process.version,
        platform: process.platform,
        arch: process.arch,
        startedAt: Math.round(performance.timeOrigin),
        uptimeMs: Math.round(process.uptime() * 1000),
      },
      loadavg: loadavg(),
      cpus: cpus().length,
      memory: {
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        heapTotal: mem.heapTotal,
        external: mem.external,
        systemTotal: totalmem(),
        systemFree: freemem(),
      },
      cpu: {
        userPercent: latest(st[MONITOR_STATS.cpuUser]),
        systemPercent: latest(st[MONITOR_STATS.cpuSystem]),
      },
      eventLoop: {
        delayMeanMs: latest(st[MONITOR_STATS.loopDelayMean]),
        delayMaxMs: latest(st[MONITOR_STATS.loopDelayMax]),
        utilization: latest(st[MONITOR_STATS.loopUtilization]),
        longBlocks: snap.durations?.[LONG_BLOCK_STAT]?.n ?? 0,
      },
      workers: { count: workers.length, states: workerStates(workers) },
      counts: {
        stats: Object.keys(snap.stats ?? {}).length,
        durations: Object.keys(snap.durations ?? {}).length,
        intervals: Object.keys(snap.intervals ?? {}).length,
        volatileStats: Object.keys(snap.volatileStats ?? {}).length,
        markov: Object.keys(snap.markov ?? {}).length,
        sketches: Object.keys(snap.sketches ?? {}).length,
        components: (snap as { components?: unknown[] }).components?.length ?? 0,
        recentKeys: Object.keys(snap.recent?.events ?? {}).length,
        logRecords: snap.log?.ring?.length ?? 0,
      },
      snapshot: {
        pid: snap.pid,
        time: snap.time,
        merged: (snap as { merged?: unknown }).merged ?? null,
      },
      views: NAV.map(([path, label]) => ({ path, label })),
    };
  },
  page(d, v) {
    const s = d.service;
    const el = d.eventLoop;
    const health = (el.delayMaxMs ?? 0) > 100 || (el.utilization ?? 0) > 0.9 ? 'warn' : 'ok';
    return html`<div class="cards">
<section class="card"><h2>Service</h2>${kv([
      ['name', s.title],
      ['mode', s.kind === 'prefork' ? `prefork, ${d.workers.count} workers` : 'one process'],
      ['pid', s.pid],
      ['host', s.hostname],
      ['Node.js', `${s.node} ${s.platform}/${s.arch}`],
      ['uptime', format.ms(s.uptimeMs)],
      ['started', format.time(s.startedAt)],
    ])}</section>
<section class="card"><h2>Machine</h2>${kv([
      ['load average', d.loadavg.map((x) => x.toFixed(2)).join(' · ')],
      ['CPUs', d.cpus],
      [
        'memory free',
        `${format.bytes(d.memory.systemFree)} of ${format.bytes(d.memory.systemTotal)}`,
      ],
    ])}</section>
<section class="card"><h2>Process</h2>${kv([
      [
        'CPU user / system',
        `${format.num(d.cpu.userPercent)} % / ${format.num(d.cpu.systemPercent)} %`,
      ],
      ['RSS', format.bytes(d.memory.rss)],
      ['heap', `${format.bytes(d.memory.heapUsed)} of ${format.bytes(d.memory.heapTotal)}`],
      ['external', format.bytes(d.memory.external)],
    ])}</section>
<section class="card ${health}"><h2><a href="${v.base}/eventloop">Event loop</a></h2>${kv([
      ['delay mean', format.ms(el.delayMeanMs)],
      ['delay max', format.ms(el.delayMaxMs)],
      ['utilization', format.pct(el.utilization)],
      ['long blocks', html`<a href="${v.base}/long-blocks">${el.longBlocks}</a>`],
    ])}</section>
<section class="card"><h2><a href="${v.base}/workers">Workers</a></h2>${
      d.workers.count === 0
        ? html`<p class="muted">one process, no workers</p>`
        : kv(Object.entries(d.workers.states))
    }</section>
<section class="card"><h2>Held</h2>${kv(Object.entries(d.counts).map(([k, n]) => [k, n]))}</section>
</div>
<h2>Views</h2><ul class="links">${d.views.map((x) => html`<li><a href="${v.base}${x.path}">${x.label}</a></li>`)}</ul>`;
  },
};

export interface EventLoopData {
  worker: string | null;
  monitor: ContextSnapshot['monitor'];
  delayMean: StatRow | null;
  delayMax: StatRow | null;
  utilization: StatRow | null;
  cpuUser: StatRow | null;
  cpuSystem: StatRow | null;
  gc: Array<StatRow & { totalMs: number }>;
  resources: Array<{ type: string; count: number | null }>;
  series: Record<string, Array<[number, number]>>;
}

function row(
  map: Record<string, StatsSnapshot> | undefined,
  name: string,
  kind: 'stats' | 'durations',
): StatRow | null {
  const s = map?.[name];
  return s ? statRow(name, kind, s) : null;
}

export const eventLoopView: View<EventLoopData> = {
  path: '/eventloop',
  title: 'Event loop',
  async data(v) {
    const snap = await snapshot(v);
    const st = snap.stats ?? {};
    const gc = Object.entries(snap.durations ?? {})
      .filter(([name]) => name.startsWith(MONITOR_STATS.gc))
      .map(([name, s]) => ({
        ...statRow(name, 'durations', s),
        totalMs: s.n * (s.moments?.mean ?? 0),
      }));
    const resources = Object.entries(st)
      .filter(([name]) => name.startsWith(MONITOR_STATS.resources))
      .map(([name, s]) => ({ type: name.slice(MONITOR_STATS.resources.length), count: latest(s) }))
      .sort((a, b) => (b.count ?? 0) - (a.count ?? 0));
    const series: Record<string, Array<[number, number]>> = {};
    for (const name of [
      MONITOR_STATS.loopDelayMean,
      MONITOR_STATS.loopDelayMax,
      MONITOR_STATS.loopUtilization,
    ]) {
      series[name] = st[name]?.recent ?? [];
    }
    return {
      worker: v.worker ?? null,
      monitor: snap.monitor,
      delayMean: row(st, MONITOR_STATS.loopDelayMean, 'stats'),
      delayMax: row(st, MONITOR_STATS.loopDelayMax, 'stats'),
      utilization: row(st, MONITOR_STATS.loopUtilization, 'stats'),
      cpuUser: row(st, MONITOR_STATS.cpuUser, 'stats'),
      cpuSystem: row(st, MONITOR_STATS.cpuSystem, 'stats'),
      gc,
      resources,
      series,
    };
  },
  page(d, v) {
    const rows = [d.delayMean, d.delayMax, d.utilization, d.cpuUser, d.cpuSystem].filter(
      (r) => r !== null,
    ) as StatRow[];
    return html`${d.monitor?.running ? html`` : html`<p class="warn">The loop monitor is off: start the Context with monitoring on to fill this page.</p>`}
<div class="cols"><section>
<h2>Delay and utilization</h2>${table(
      ['statistic', 'n', 'mean', 'p50', 'p95', 'p99', 'max'],
      rows.map((r) => [
        html`<a href="${statHref(v.base, r, v.worker)}">${r.name}</a>`,
        format.num(r.n),
        format.num(r.mean),
        format.num(r.p50),
        format.num(r.p95),
        format.num(r.p99),
        format.num(r.max),
      ]),
      'num',
    )}
<h2>GC pauses by kind (ms)</h2>${table(
      ['kind', 'count', 'total', 'mean', 'p99', 'max'],
      d.gc.map((r) => [
        html`<a href="${statHref(v.base, r, v.worker)}">${r.name.slice(3)}</a>`,
        format.num(r.n),
        format.ms(r.totalMs),
        format.num(r.mean),
        format.num(r.p99),
        format.num(r.max),
      ]),
      'num',
    )}
<h2>Active resources</h2>${table(
      ['type', 'count'],
      d.resources.map((r) => [r.type, format.num(r.count)]),
      'num',
    )}
</section><section class="charts">
<h2>Loop delay, mean and max (ms)</h2><div class="chart" data-chart="series" data-key="delay"></div>
<h2>Utilization</h2><div class="chart" data-chart="series" data-key="utilization"></div>
</section></div>
${dataScript('chart-data', {
  delay: {
    multi: [
      d.series[MONITOR_STATS.loopDelayMean] ?? [],
      d.series[MONITOR_STATS.loopDelayMax] ?? [],
    ],
    labels: ['mean', 'max'],
  },
  utilization: d.series[MONITOR_STATS.loopUtilization] ?? [],
})}`;
  },
};

export interface LongBlocksData {
  worker: string | null;
  watchdog: { running: boolean; captureStacks: boolean; errors: number };
  total: number;
  longBlocks: ContextSnapshot['watchdog']['longBlocks'];
}

export const longBlocksView: View<LongBlocksData> = {
  path: '/long-blocks',
  title: 'Long blocks',
  async data(v: ViewInput) {
    const snap = await snapshot(v);
    const w = snap.watchdog;
    return {
      worker: v.worker ?? null,
      watchdog: {
        running: w?.running ?? false,
        captureStacks: w?.captureStacks ?? false,
        errors: w?.errors ?? 0,
      },
      total: snap.durations?.[LONG_BLOCK_STAT]?.n ?? 0,
      longBlocks: (w?.longBlocks ?? []).slice().reverse(),
    };
  },
  page(d) {
    return html`${kv([
      ['watchdog', d.watchdog.running ? 'running' : 'off'],
      ['stack capture', d.watchdog.captureStacks ? 'on' : 'off'],
      ['blocks counted', d.total],
      ['watchdog errors', d.watchdog.errors],
    ])}
${d.longBlocks.length === 0 ? html`<p class="muted">No long block recorded.</p>` : html``}
${d.longBlocks.map(
  (b) => html`<section class="block"><h2>${format.ms(b.durationMs)} at ${format.time(b.start)}</h2>
${b.frames ? html`<ol class="stack">${b.frames.map((f) => html`<li><code>${f.functionName || '(anonymous)'}</code> <span class="muted">${f.url}:${f.lineNumber}:${f.columnNumber}</span></li>`)}</ol>` : html`<p class="muted">no stack: ${b.error ?? 'unknown'}</p>`}
</section>`,
)}`;
  },
};

import { html } from '@support/web';
import { format } from '../html/format.js';
import { kv, table } from '../html/layout.js';
import { snapshot, type View } from './view.js';

/** Nested plain JSON as compact HTML: tables for objects, lists for arrays, bounded in depth. */
export function tree(value: unknown, depth = 0): ReturnType<typeof html> {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`;
  if (typeof value !== 'object') return html`${format.clip(String(value), 300)}`;
  if (depth >= 4) return html`<code>${format.clip(value, 300)}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`<span class="muted">[]</span>`;
    const shown = value.slice(0, 50);
    return html`<ol class="tree">${shown.map((x) => html`<li>${tree(x, depth + 1)}</li>`)}${value.length > shown.length ? html`<li class="muted">… ${value.length - shown.length} more</li>` : html``}</ol>`;
  }
  const entries = Object.entries(value as Record<string, unknown>).slice(0, 100);
  return kv(
    entries.map(([k, x]) => [k, tree(x, depth + 1)]),
    'kv tree',
  );
}

export interface WorkersData {
  kind: 'process' | 'prefork';
  workers: unknown[];
  status: unknown;
}

export const workersView: View<WorkersData> = {
  path: '/workers',
  title: 'Workers',
  async data(v) {
    return {
      kind: v.state.source.kind,
      workers: await v.state.source.workers(),
      status: v.state.source.status(),
    };
  },
  page(d, v) {
    if (d.kind === 'process') {
      return html`<p class="muted">One process: no workers. ${tree(d.status)}</p>`;
    }
    const ws = d.workers as Array<Record<string, unknown>>;
    const { workers: _w, ...rest } = (d.status ?? {}) as Record<string, unknown>;
    return html`${table(
      [
        'id',
        'pid',
        'state',
        'uptime',
        'restarts',
        'RSS',
        'in flight',
        'queued',
        'last heartbeat',
        'exit causes',
        '',
      ],
      ws.map((w) => [
        String(w.id),
        String(w.pid ?? ''),
        String(w.state ?? ''),
        format.ms(w.uptimeMs),
        String(w.restarts ?? 0),
        format.bytes(w.rss),
        String(w.inFlight ?? ''),
        String(w.queued ?? ''),
        format.ago(w.lastHeartbeat),
        tree(w.exitCauses),
        html`<a href="${v.base}/stats?worker=${String(w.id)}">stats</a> · <a href="${v.base}/profile?worker=${String(w.id)}">profile</a>`,
      ]),
      'num',
    )}<h2>Arbiter</h2>${tree(rest)}`;
  },
};

export interface ComponentsData {
  worker: string | null;
  components: Array<{ name: string; kind: string; status: unknown }>;
  arbiter: unknown;
}

export const componentsView: View<ComponentsData> = {
  path: '/components',
  title: 'Components',
  async data(v) {
    const snap = await snapshot(v);
    const components = ((snap as { components?: unknown[] }).components ??
      []) as ComponentsData['components'];
    return {
      worker: v.worker ?? null,
      components,
      arbiter: v.state.source.kind === 'prefork' ? v.state.source.status() : null,
    };
  },
  page(d) {
    if (d.components.length === 0 && d.arbiter === null) {
      return html`<p class="muted">Nothing registered (ctx.components.register(name, { kind, status })).</p>`;
    }
    return html`<ul class="links">${d.components.map((c) => html`<li><a href="#c-${c.name}">${c.name}</a> <span class="muted">${c.kind}</span></li>`)}</ul>
${d.components.map((c) => html`<section id="c-${c.name}"><h2>${c.name} <span class="muted">${c.kind}</span></h2>${tree(c.status)}</section>`)}
${d.arbiter !== null ? html`<section><h2>arbiter <span class="muted">prefork</span></h2>${tree(d.arbiter)}</section>` : html``}`;
  },
};

export interface RoutesData {
  applications: Array<{ name: string; routes: unknown }>;
}

export const routesView: View<RoutesData> = {
  path: '/routes',
  title: 'Routes',
  async data(v) {
    const applications: RoutesData['applications'] = [];
    try {
      for (const t of v.state.routes?.() ?? [])
        applications.push({ name: String(t.name), routes: t.routes });
    } catch (error) {
      applications.push({
        name: 'options.routes()',
        routes: { error: error instanceof Error ? error.message : String(error) },
      });
    }
    const snap = await snapshot(v);
    for (const c of (
      snap as { components?: Array<{ name: string; kind: string; status: unknown }> }
    ).components ?? []) {
      if (c.kind === 'web-app') applications.push({ name: c.name, routes: c.status });
    }
    applications.push({ name: 'meta', routes: v.state.ownRoutes });
    return { applications };
  },
  page(d) {
    return html`${d.applications.map((a) => {
      const routes = a.routes as Array<Record<string, unknown>> | unknown;
      if (!Array.isArray(routes)) return html`<section><h2>${a.name}</h2>${tree(routes)}</section>`;
      return html`<section><h2>${a.name}</h2>${table(
        ['methods', 'pattern', 'name', 'render', 'middleware'],
        (routes as Array<Record<string, unknown>>).map((r) => [
          Array.isArray(r.methods) ? r.methods.join(' ') : String(r.methods ?? ''),
          html`<code>${String(r.pattern ?? r.path ?? '')}</code>`,
          String(r.name ?? ''),
          String(r.render ?? ''),
          Array.isArray(r.middlewares) ? r.middlewares.join(', ') : '',
        ]),
      )}</section>`;
    })}`;
  },
};

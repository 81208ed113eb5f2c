import { html } from '@support/web';
import type { View } from './view.js';

export interface HealthData {
  status: 'ok' | 'unavailable';
  pid: number;
  uptimeMs: number;
  reason?: string;
  workers?: { ready: number; total: number; required: number };
}

/** Worker states that count as ready to serve. */
const READY_STATES = new Set(['ready', 'running', 'serving', 'listening']);

export const healthzView: View<HealthData> = {
  path: '/healthz',
  title: 'Health',
  data() {
    return { status: 'ok', pid: process.pid, uptimeMs: Math.round(process.uptime() * 1000) };
  },
  page(d) {
    return html`<p>${d.status}</p>`;
  },
};

export const readyzView: View<HealthData> = {
  path: '/readyz',
  title: 'Readiness',
  async data(v) {
    const base = { pid: process.pid, uptimeMs: Math.round(process.uptime() * 1000) };
    if (v.state.closed) return { ...base, status: 'unavailable', reason: 'the meta app is closed' };
    if (v.state.source.kind === 'process') return { ...base, status: 'ok' };
    const workers = (await v.state.source.workers()) as Array<{ state?: unknown }>;
    const ready = workers.filter(
      (w) => typeof w?.state === 'string' && READY_STATES.has(w.state),
    ).length;
    const required = v.state.minReadyWorkers;
    const counts = { ready, total: workers.length, required };
    return ready >= required
      ? { ...base, status: 'ok', workers: counts }
      : {
          ...base,
          status: 'unavailable',
          reason: `${ready} of ${required} required workers ready`,
          workers: counts,
        };
  },
  status(d) {
    return d.status === 'ok' ? 200 : 503;
  },
  page(d) {
    return html`<p>${d.status}${d.reason ? html`: ${d.reason}` : html``}</p>`;
  },
};

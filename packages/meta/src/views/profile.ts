import { html } from '@support/web';
import { format } from '../html/format.js';
import { table } from '../html/layout.js';
import type { ProfileResult } from '../state.js';
import type { View } from './view.js';

interface HotspotRow {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
  selfMs: number;
  totalMs: number;
  samples: number;
}

export interface ProfileData {
  kind: 'process' | 'prefork';
  worker: string | null;
  /** Worker (or null for this process) being sampled now, from a start through this app. */
  sampling: string | null | false;
  mutations: boolean;
  heapSnapshots: boolean;
  last: Omit<ProfileResult, 'profile'> | null;
}

/** Shortens `file:///a/b/c.js` to `b/c.js` for the table; the full URL is the cell's title. */
function where(h: HotspotRow): string {
  if (!h.url) return '';
  const short = h.url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
  return `${short}:${h.lineNumber}`;
}

export const profileView: View<ProfileData> = {
  path: '/profile',
  title: 'CPU profile',
  data(v) {
    const last = v.state.lastProfile;
    return {
      kind: v.state.source.kind,
      worker: v.worker ?? null,
      sampling: v.state.profilingWorker === undefined ? false : v.state.profilingWorker,
      mutations: v.state.allowMutations,
      heapSnapshots: v.state.allowMutations && v.state.heapSnapshotDir !== undefined,
      last: last ? { worker: last.worker, takenAt: last.takenAt, hotspots: last.hotspots } : null,
    };
  },
  page(d, v) {
    const w = v.worker === undefined ? '' : `?worker=${encodeURIComponent(v.worker)}`;
    const target =
      d.kind === 'prefork'
        ? v.worker === undefined
          ? 'the first worker (choose one above)'
          : `worker ${v.worker}`
        : 'this process';
    const controls = d.mutations
      ? html`<div class="actions">
<form method="post" action="${v.base}/profile/start${w}"><button${d.sampling !== false ? html` disabled` : html``}>Start sampling</button></form>
<form method="post" action="${v.base}/profile/stop${w}"><button${d.sampling === false ? html` disabled` : html``}>Stop and show</button></form>
${d.heapSnapshots ? html`<form method="post" action="${v.base}/heap-snapshot${w}"><button>Write heap snapshot</button></form>` : html``}
<span class="muted">${d.sampling === false ? `Profiles ${target}.` : `Sampling ${d.sampling === null ? 'this process' : `worker ${d.sampling}`}…`}</span></div>`
      : html`<p class="muted">Profiling is a mutation: start the meta app with allowMutations to use it.</p>`;
    const rows = (d.last?.hotspots ?? []) as HotspotRow[];
    return html`${controls}
${
  d.last
    ? html`<h2>Flame graph <span class="muted">taken ${format.time(d.last.takenAt)}${d.last.worker === null ? '' : ` on worker ${d.last.worker}`} · <a href="${v.base}/profile/cpuprofile" download>download .cpuprofile</a> (Chrome DevTools: Performance → Load profile)</span></h2>
<div class="flame-wrap"><canvas id="flame" class="flame" data-src="${v.base}/profile/cpuprofile" tabindex="0" aria-label="flame graph; click a frame to zoom, Escape to reset"></canvas><div id="flame-tip" class="tip" hidden></div></div>
<h2>Hotspots</h2>${table(
        ['function', 'where', 'self', 'total', 'samples'],
        rows
          .slice(0, 60)
          .map((h) => [
            html`<code>${h.functionName}</code>`,
            html`<span title="${h.url}">${where(h)}</span>`,
            format.ms(h.selfMs),
            format.ms(h.totalMs),
            format.num(h.samples),
          ]),
        'num hot',
      )}`
    : html`<p class="muted">No profile taken yet.</p>`
}`;
  },
};

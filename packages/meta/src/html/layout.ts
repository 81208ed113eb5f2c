import { html, SafeHTML } from '@support/web';
import { safeJSON } from './json.js';

/** The views in the navigation bar, in order: path, label, access key. */
export const NAV: ReadonlyArray<readonly [string, string, string]> = [
  ['/', 'Overview', 'o'],
  ['/stats', 'Stats', 's'],
  ['/statgraphs', 'Graphs', 'g'],
  ['/markov', 'Markov', 'm'],
  ['/sketches', 'Sketches', 'k'],
  ['/workers', 'Workers', 'w'],
  ['/eventloop', 'Event loop', 'e'],
  ['/long-blocks', 'Long blocks', 'b'],
  ['/process', 'Process', 'p'],
  ['/environment', 'Environment', 'v'],
  ['/config', 'Config', 'c'],
  ['/fds', 'FDs', 'f'],
  ['/components', 'Components', 'n'],
  ['/routes', 'Routes', 'u'],
  ['/recent', 'Recent', 't'],
  ['/logs', 'Logs', 'l'],
  ['/profile', 'Profile', 'i'],
  ['/metrics', 'Metrics', 'x'],
];

export interface PageOptions {
  title: string;
  body: SafeHTML;
  /** Mount prefix for links. */
  base: string;
  /** Service name for the header. */
  service?: string;
  /** Path of the current view, to mark it in the navigation. */
  current?: string;
  /** Without navigation (login and error pages). */
  plain?: boolean;
  /** Prefork: worker ids for the switch, and the one shown (undefined = all merged). */
  workers?: string[];
  worker?: string;
  /** The query string of this view, for the JSON link. */
  query?: string;
}

/** The whole HTML document around a view's body. */
export function page(o: PageOptions): string {
  const b = o.base;
  const nav = o.plain
    ? html``
    : html`<nav aria-label="views">${NAV.map(
        ([path, label, key]) =>
          html`<a href="${b}${path}" accesskey="${key}"${path === o.current ? html` aria-current="page"` : html``}>${label}</a>`,
      )}</nav>`;
  const workerSwitch =
    o.workers && o.workers.length > 0
      ? html`<label class="worker">worker <select id="worker-switch">
<option value=""${o.worker === undefined ? html` selected` : html``}>all (merged)</option>
${o.workers.map((w) => html`<option value="${w}"${o.worker === w ? html` selected` : html``}>${w}</option>`)}
</select></label>`
      : html``;
  const q = o.query ? `${o.query}&format=json` : '?format=json';
  const tools = o.plain
    ? html``
    : html`<div class="tools">${workerSwitch}
<label title="reload every 5 s (key: r)"><input type="checkbox" id="auto-refresh"> auto-refresh</label>
<a href="${q}" class="json">JSON</a></div>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · ${o.service ?? 'meta'}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="${b}/assets/meta.css"><link rel="stylesheet" href="${b}/assets/uPlot.min.css">
<script src="${b}/assets/uPlot.iife.min.js" defer></script><script src="${b}/assets/meta.js" defer></script><script src="${b}/assets/flame.js" defer></script>
</head><body data-base="${b}">
<header><a class="brand" href="${b}/">${o.service ?? 'meta'}</a>${nav}${tools}</header>
<main id="main"><h1>${o.title}</h1>
${o.body}
</main></body></html>`.value;
}

/** A table of rows; cells are escaped unless they are html output. */
export function table(head: unknown[], rows: unknown[][], cls = ''): SafeHTML {
  return html`<table class="${cls}"><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`;
}

/** A two-column key/value table. */
export function kv(entries: Array<[unknown, unknown]>, cls = 'kv'): SafeHTML {
  return html`<table class="${cls}"><tbody>${entries.map(
    ([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`,
  )}</tbody></table>`;
}

/** JSON for the page's script, in a non-executed script element (escaped so it cannot close the element). */
export function dataScript(id: string, value: unknown): SafeHTML {
  const text = safeJSON(value);
  // Safe unescaped: the text is JSON with every <, > and & written as \u00XX.
  return html`<script type="application/json" id="${id}">${new SafeHTML(text)}</script>`;
}

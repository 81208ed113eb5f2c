import { escapeHTML } from './escape.js';

// Nesting deeper than this is shown as an ellipsis: a page for people, not a dump.
const MAX_DEPTH = 32;

const STYLE =
  'body{font-family:system-ui,sans-serif;margin:1.5em}' +
  'table{border-collapse:collapse;margin:.2em 0}' +
  'th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}' +
  'th{background:#f4f4f4;font-weight:600}ul{margin:0;padding-left:1.2em}' +
  '.null{color:#888;font-style:italic}';

/**
 * A complete HTML page showing `value` as nested tables (objects and maps)
 * and lists (arrays and sets). Every key and value is escaped.
 */
export function htmlPage(value: unknown, title: string): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width"><title>${escapeHTML(title)}</title>` +
    `<style>${STYLE}</style></head><body>${htmlValue(value, 0, new Set())}</body></html>`
  );
}

/** The HTML fragment for one value: tables and lists for containers, escaped text otherwise. */
export function htmlValue(value: unknown, depth: number, seen: Set<object>): string {
  if (value === null || value === undefined) return `<span class="null">${String(value)}</span>`;
  if (typeof value !== 'object')
    return escapeHTML(typeof value === 'symbol' ? value.toString() : value);
  if (value instanceof Date)
    return escapeHTML(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
  if (value instanceof Uint8Array) return escapeHTML(`<${value.byteLength} bytes>`);
  if (seen.has(value)) return '<span class="null">[circular]</span>';
  if (depth >= MAX_DEPTH) return '<span class="null">…</span>';
  seen.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) {
      let out = '<ul>';
      for (const item of value) out += `<li>${htmlValue(item, depth + 1, seen)}</li>`;
      return `${out}</ul>`;
    }
    const entries: Iterable<[unknown, unknown]> =
      value instanceof Map ? value.entries() : Object.entries(value);
    let rows = '';
    for (const [key, item] of entries) {
      rows += `<tr><th>${escapeHTML(key)}</th><td>${htmlValue(item, depth + 1, seen)}</td></tr>`;
    }
    return rows === '' ? '<table></table>' : `<table>${rows}</table>`;
  } finally {
    seen.delete(value);
  }
}

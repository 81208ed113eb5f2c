import type { IncomingMessage } from 'node:http';
import type { RouteOf } from './instrument.js';

// Route labels for @support/web Applications, from their public route table
// (`app.routes`): find-my-way patterns turned into regular expressions once,
// matched against the path when a response finishes. Static segments,
// `:param`, `:param(regex)` and a trailing `*` are understood; a request no
// pattern matches gets no label (it counts in the totals only).

interface RouteRow {
  methods: readonly string[];
  pattern: string;
}

interface Matcher {
  methods: Set<string>;
  pattern: string;
  regex: RegExp;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** A find-my-way pattern as an anchored RegExp (undefined when it cannot be read). */
export function patternRegex(pattern: string): RegExp | undefined {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === ':' && pattern[i + 1] === ':') {
      out += ':';
      i += 2;
    } else if (c === ':') {
      let j = i + 1;
      while (j < pattern.length && /[A-Za-z0-9_]/.test(pattern[j]!)) j++;
      if (pattern[j] === '(') {
        let depth = 0;
        let k = j;
        for (; k < pattern.length; k++) {
          if (pattern[k] === '(') depth++;
          else if (pattern[k] === ')' && --depth === 0) break;
        }
        out += `(${pattern
          .slice(j + 1, k)
          .replace(/^\^/, '')
          .replace(/\$$/, '')})`;
        i = k + 1;
      } else {
        out += '[^/]+?';
        i = j;
      }
    } else if (c === '*') {
      out += '.*';
      i++;
    } else {
      out += escapeRegex(c);
      i++;
    }
  }
  try {
    return new RegExp(`^${out}/?$`);
  } catch {
    return undefined;
  }
}

/** A RouteOf for an app with a web-style route table, or undefined for other apps. */
export function webRouteOf(app: unknown): RouteOf | undefined {
  const rows = (app as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(rows) || rows.length === 0) return undefined;
  const matchers: Matcher[] = [];
  for (const row of rows as RouteRow[]) {
    if (typeof row?.pattern !== 'string' || !Array.isArray(row.methods)) return undefined;
    const regex = patternRegex(row.pattern);
    if (regex !== undefined)
      matchers.push({ methods: new Set(row.methods), pattern: row.pattern, regex });
  }
  return (req: IncomingMessage) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    for (const m of matchers) {
      if (m.methods.has(method) && m.regex.test(path)) return `${method} ${m.pattern}`;
    }
    return undefined;
  };
}

import type { SerializedError } from './record.js';

// Helpers that turn user data into text without ever throwing: logging must
// not break the code that logs.

/**
 * Templates already split into literal text and field names, alternating
 * (text, name, text, …, text): messages are mostly a few literals logged
 * again and again. Bounded: emptied when full.
 */
const parsed = new Map<string, string[]>();
const MAX_PARSED = 512;

/** Fills `{name}` fields of `template` from `data`; unknown fields stay as written. */
export function formatMessage(template: string, data: Record<string, unknown> | undefined): string {
  if (data === undefined) return template;
  let parts = parsed.get(template);
  if (parts === undefined) {
    parts = parse(template);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(template, parts);
  }
  if (parts.length === 1) return template;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) out += field(parts[i]!, data) + parts[i + 1]!;
  return out;
}

/**
 * Splits a template at its `{name}` fields: `{` then [A-Za-z_$][A-Za-z0-9_$.]*
 * then `}`, left to right (a scan, not a regular expression with a callback:
 * that was a third of the cost of a logged action).
 */
function parse(template: string): string[] {
  const parts: string[] = [];
  let last = 0;
  let open = template.indexOf('{');
  while (open !== -1) {
    let end = open + 1;
    if (end < template.length && nameStart(template.charCodeAt(end))) {
      end++;
      while (end < template.length && namePart(template.charCodeAt(end))) end++;
      if (template.charCodeAt(end) === 0x7d) {
        parts.push(template.slice(last, open), template.slice(open + 1, end));
        last = end + 1;
        open = template.indexOf('{', last);
        continue;
      }
    }
    open = template.indexOf('{', open + 1);
  }
  parts.push(last === 0 ? template : template.slice(last));
  return parts;
}

/** The text for `{name}`; a throwing getter (or a Proxy) leaves the field as written. */
function field(name: string, data: Record<string, unknown>): string {
  try {
    if (Object.hasOwn(data, name)) return safeString(data[name]);
  } catch {
    // left as written
  }
  return `{${name}}`;
}

/** [A-Za-z_$] */
function nameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x24;
}

/** [A-Za-z0-9_$.] */
function namePart(c: number): boolean {
  return nameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e;
}

/** `String(value)`, or a placeholder when that throws. */
export function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    if (typeof value === 'object' && value !== null && !hasOwnToString(value)) {
      return JSON.stringify(value) ?? String(value);
    }
    return String(value);
  } catch {
    return '<unprintable>';
  }
}

function hasOwnToString(value: object): boolean {
  return value.toString !== Object.prototype.toString;
}

/** A plain, JSON-friendly copy of an error (or of whatever was thrown). */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    if (typeof error.stack === 'string') out.stack = error.stack;
    return out;
  }
  return { name: 'NonError', message: safeString(error) };
}

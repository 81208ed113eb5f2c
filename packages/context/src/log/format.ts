import type { SerializedError } from './record.js';

// Helpers that turn user data into text without ever throwing: logging must
// not break the code that logs.

/** Fills `{name}` fields of `template` from `data`; unknown fields stay as written. */
export function formatMessage(template: string, data: Record<string, unknown> | undefined): string {
  if (data === undefined || !template.includes('{')) return template;
  return template.replace(/\{([A-Za-z_$][\w$.]*)\}/g, (field, name: string) => {
    // A throwing getter (or a Proxy) in `data` leaves its field as written.
    try {
      return Object.hasOwn(data, name) ? safeString(data[name]) : field;
    } catch {
      return field;
    }
  });
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

import { ContextOptionError } from '../errors.js';
import type { LogRecord } from './record.js';

// Record safety: a log record may carry anything a caller put in `data`
// (BigInts, cycles, getters or toJSON methods that throw, huge strings). The
// ring and the JSON sink keep a copy made of plain JSON values only, bounded
// in bytes, so `JSON.stringify` of it (and of `ctx.snapshot()`) cannot throw.

/** Most UTF-8 bytes of the JSON text of one record kept by the ring and `JsonLinesSink`. */
export const MAX_RECORD_BYTES = 16 * 1024;

/** Most UTF-8 bytes of the JSON text of one event kept by `ctx.recent.add`. */
export const MAX_EVENT_BYTES = 4 * 1024;

/** Deepest nesting of `data` copied; deeper values become `'[Depth]'`. */
export const MAX_DATA_DEPTH = 8;

/** Appended to a string cut short; the number is how many characters were left out. */
export const TRUNCATED_MARK = '…[truncated';

/** Bytes of the smallest thing a cut value is replaced with (`"[Truncated]"` plus a separator). */
const MARKER_BYTES = 16;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Copies values into plain JSON while counting the bytes of their JSON text. */
class Copier {
  /** Bytes still available. */
  budget: number;
  /** Set once anything was cut or left out. */
  truncated = false;
  /** Set once `field` returned undefined (the field is to be left out). */
  omitted = false;
  /** The objects being copied, outermost first (made on the first object: most records hold one). */
  private ancestors: object[] | undefined;

  constructor(budget: number) {
    this.budget = budget;
  }

  /** The JSON-safe copy of `value`, or `undefined` where JSON would leave the key out. */
  copy(value: unknown, depth: number): Json | undefined {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.spend(Number.isFinite(value) ? value : String(value));
      case 'boolean':
        return this.spend(value);
      case 'bigint':
        return this.string(`${value}`);
      case 'undefined':
        return undefined;
      case 'symbol':
        return this.string(safeDescribe(value));
      case 'function':
        return undefined;
      default:
        if (value === null) return this.spend(null);
        return this.object(value as object, depth);
    }
  }

  /**
   * The copy of a top-level field's value, its key charged to the budget
   * (`undefined`, and nothing charged, where it is left out).
   */
  field(key: string, value: unknown): Json | undefined {
    if (value === undefined) {
      this.omitted = true;
      return undefined;
    }
    // Keys here are the record's own ASCII names: quotes, colon and comma.
    const keyBytes = key.length + 4;
    if (keyBytes + MARKER_BYTES > this.budget) {
      this.truncated = this.omitted = true;
      return undefined;
    }
    this.budget -= keyBytes;
    const copied = this.copy(value, 0);
    if (copied === undefined) {
      this.budget += keyBytes;
      this.omitted = true;
    }
    return copied;
  }

  /** A string, cut to what the budget allows (the cut is marked). */
  string(value: string): string | undefined {
    // Every UTF-16 unit costs at least one byte: a longer string cannot fit.
    const bytes = value.length <= this.budget ? jsonBytes(value) : Number.POSITIVE_INFINITY;
    if (bytes <= this.budget) {
      this.budget -= bytes;
      return value;
    }
    this.truncated = true;
    // Shrink until the cut string and its mark fit, by the overshoot each round.
    let keep = Math.min(value.length, this.budget);
    while (keep > 0) {
      const cut = cutString(value, keep);
      const out = `${cut}${TRUNCATED_MARK} ${value.length - cut.length} chars]`;
      const outBytes = jsonBytes(out);
      if (outBytes <= this.budget) {
        this.budget -= outBytes;
        return out;
      }
      keep = Math.min(keep - 1, Math.floor((keep * this.budget) / outBytes) - 1);
    }
    return this.marker();
  }

  /** The stand-in for a value that does not fit at all. */
  marker(): string | undefined {
    this.truncated = true;
    if (this.budget < MARKER_BYTES) {
      this.budget = 0;
      return undefined;
    }
    this.budget -= MARKER_BYTES;
    return '[Truncated]';
  }

  private spend<T extends Json>(value: T): T | undefined {
    const bytes =
      typeof value === 'number'
        ? numberBytes(value)
        : typeof value === 'string'
          ? value.length + 2
          : 5;
    if (bytes > this.budget) {
      this.truncated = true;
      this.budget = 0;
      return undefined;
    }
    this.budget -= bytes;
    return value;
  }

  private object(value: object, depth: number): Json | undefined {
    if (this.budget < MARKER_BYTES) return this.marker();
    const ancestors = (this.ancestors ??= []);
    if (ancestors.length > 0 && ancestors.includes(value)) return this.string('[Circular]');
    if (depth >= MAX_DATA_DEPTH) {
      this.truncated = true;
      return this.string('[Depth]');
    }
    let source: unknown = value;
    let isArray = false;
    try {
      if (value instanceof Error) source = errorFields(value);
      else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        source = (value as { toJSON: () => unknown }).toJSON();
        if (typeof source !== 'object' || source === null) return this.copy(source, depth + 1);
        if (source === value) source = { ...(value as Record<string, unknown>) };
      }
      // Throws for a revoked Proxy.
      isArray = Array.isArray(source);
    } catch (error) {
      return this.string(`[Unserializable: ${describeError(error)}]`);
    }
    ancestors.push(value);
    try {
      return isArray
        ? this.array(source as unknown[], depth)
        : this.record(source as Record<string, unknown>, depth);
    } finally {
      ancestors.pop();
    }
  }

  private array(source: unknown[], depth: number): Json[] {
    const out: Json[] = [];
    this.budget -= 2;
    let length = 0;
    try {
      length = source.length;
    } catch {
      this.truncated = true;
    }
    for (let i = 0; i < length; i++) {
      if (this.budget <= 1) {
        this.truncated = true;
        break;
      }
      this.budget -= 1;
      let item: unknown;
      try {
        item = source[i];
      } catch (error) {
        item = `[Unserializable: ${describeError(error)}]`;
      }
      const copied = this.copy(item, depth + 1);
      if (copied !== undefined) out.push(copied);
      else if (this.budget >= 4) {
        this.budget -= 4;
        out.push(null);
      } else {
        this.truncated = true;
        break;
      }
    }
    return out;
  }

  /** Own enumerable keys, each read on its own, so one throwing getter costs one field. */
  record(source: Record<string, unknown>, depth: number): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    this.budget -= 2;
    let keys: string[];
    try {
      keys = Object.keys(source);
    } catch (error) {
      this.truncated = true;
      out['[Unserializable]'] = describeError(error);
      return out;
    }
    for (const key of keys) {
      const keyBytes = key.length < this.budget ? jsonBytes(key) + 2 : Number.POSITIVE_INFINITY;
      if (keyBytes + MARKER_BYTES > this.budget) {
        this.truncated = true;
        break;
      }
      let item: unknown;
      try {
        item = source[key];
      } catch (error) {
        item = `[Unserializable: ${describeError(error)}]`;
      }
      this.budget -= keyBytes;
      const copied = this.copy(item, depth + 1);
      if (copied === undefined) this.budget += keyBytes;
      else out[key] = copied;
    }
    return out;
  }
}

/**
 * A copy of `record` made of plain JSON values whose JSON text is at most
 * `maxBytes` UTF-8 bytes: BigInts become decimal strings, non-finite numbers
 * their names, cycles `'[Circular]'`, values nested deeper than
 * {@link MAX_DATA_DEPTH} `'[Depth]'`, a throwing getter or `toJSON`
 * `'[Unserializable: …]'` (in that field only), functions and `undefined`
 * are left out as JSON leaves them. What does not fit is cut: long strings
 * end with a `…[truncated N chars]` mark, fields past the budget are left
 * out, and the copy has `truncated: true`. The fixed fields come first, then
 * `error`, `message`, `detail` and `data`, so the cut falls on `data` first.
 * Never throws.
 */
export function safeRecord(record: LogRecord, maxBytes = MAX_RECORD_BYTES): LogRecord {
  try {
    return copyRecord(record, maxBytes);
  } catch {
    // Only a record whose own fields throw when read gets here.
    return copyFields(record, maxBytes);
  }
}

/** The usual path: the record's fields read by name, the copy built in one shape. */
function copyRecord(record: LogRecord, maxBytes: number): LogRecord {
  // Reserve room for the braces and the `"truncated":true` mark.
  const c = new Copier(Math.max(0, maxBytes - 20));
  const out = {
    logger: c.field('logger', record.logger),
    level: c.field('level', record.level),
    action: c.field('action', record.action),
    outcome: c.field('outcome', record.outcome),
    begin: c.field('begin', record.begin),
    end: c.field('end', record.end),
    durationMs: c.field('durationMs', record.durationMs),
  } as Record<string, Json | undefined>;
  if (c.omitted) {
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  }
  // Stores by name, not through a helper taking the key: a keyed store of
  // varying keys is megamorphic, and cost as much as the copy itself.
  if (record.error !== undefined) {
    const error = c.field('error', record.error);
    if (error !== undefined) out.error = error;
  }
  const message = c.field('message', record.message);
  if (message !== undefined) out.message = message;
  if (record.detail !== undefined) {
    const detail = c.field('detail', record.detail);
    if (detail !== undefined) out.detail = detail;
  }
  if (record.data !== undefined) {
    const data = c.field('data', record.data);
    if (data !== undefined) out.data = data;
  }
  if (c.truncated || record.truncated === true) out.truncated = true;
  return out as unknown as LogRecord;
}

/** The careful path: each field read on its own, a throwing one marked. */
function copyFields(record: LogRecord, maxBytes: number): LogRecord {
  const c = new Copier(Math.max(0, maxBytes - 20));
  const out: Record<string, Json> = {};
  for (const key of FIELD_ORDER) {
    let v: unknown;
    try {
      v = (record as unknown as Record<string, unknown>)[key];
    } catch (error) {
      v = `[Unserializable: ${describeError(error)}]`;
    }
    if (v === undefined) continue;
    const copied = c.field(key, v);
    if (copied !== undefined) out[key] = copied;
  }
  if (c.truncated) out.truncated = true;
  return out as unknown as LogRecord;
}

/**
 * A copy of any value made of plain JSON values (by the rules of
 * {@link safeRecord}) whose JSON text is at most `maxBytes` UTF-8 bytes;
 * `null` where JSON has no text for it (a function, `undefined`). Never throws.
 */
export function safeValue(value: unknown, maxBytes: number): unknown {
  const copy = new Copier(Math.max(0, maxBytes)).copy(value, 0);
  return copy === undefined ? null : copy;
}

/** The fields of a record in the order they get the budget; `data` comes last. */
const FIELD_ORDER = [
  'logger',
  'level',
  'action',
  'outcome',
  'begin',
  'end',
  'durationMs',
  'error',
  'message',
  'detail',
  'data',
  'truncated',
];

/** UTF-8 bytes of the JSON text of a string. */
function jsonBytes(value: string): number {
  // Short printable ASCII needs no escapes: one byte a character, plus quotes.
  if (value.length <= 64) {
    let plain = true;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        plain = false;
        break;
      }
    }
    if (plain) return value.length + 2;
  }
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * Bytes of a finite number's JSON text: exact for integers below 1e15, else
 * 24, the longest a double's shortest form can be (so the cap still holds).
 */
function numberBytes(value: number): number {
  if (Number.isInteger(value) && value > -1e15 && value < 1e15) {
    let digits = 1;
    for (let v = Math.abs(value); v >= 10; v = Math.floor(v / 10)) digits++;
    return value < 0 ? digits + 1 : digits;
  }
  return 24;
}

/** The first `keep` UTF-16 units of `value`, not splitting a surrogate pair. */
function cutString(value: string, keep: number): string {
  let end = Math.max(0, Math.floor(keep));
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return value.slice(0, end);
}

function errorFields(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.stack !== undefined) out.stack = error.stack;
  return out;
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unprintable';
  }
}

function safeDescribe(value: symbol): string {
  try {
    return value.toString();
  } catch {
    return '[Symbol]';
  }
}

/**
 * Reads `{ maxRecordBytes }` sink options: an integer >= 256 (default
 * MAX_RECORD_BYTES); any other key is refused, naming it.
 */
export function maxRecordBytesOption(sink: string, options: unknown): number {
  if (options === undefined) return MAX_RECORD_BYTES;
  if (typeof options !== 'object' || options === null) {
    throw new ContextOptionError(`${sink} options`, 'must be an object');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'maxRecordBytes') {
      throw new ContextOptionError(`${sink} options.${key}`, 'is not an option');
    }
  }
  const value = (options as { maxRecordBytes?: unknown }).maxRecordBytes ?? MAX_RECORD_BYTES;
  if (!Number.isSafeInteger(value) || (value as number) < 256) {
    throw new ContextOptionError(
      `${sink} options.maxRecordBytes`,
      `must be an integer >= 256, got ${safeDescribeValue(value)}`,
    );
  }
  return value as number;
}

function safeDescribeValue(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

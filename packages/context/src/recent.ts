import { Buffer } from 'node:buffer';
import { safeString } from './log/format.js';
import { MAX_EVENT_BYTES, safeValue } from './log/safe.js';

// Bounded rings of recent events per key: the last few things that happened
// on each endpoint, kept small enough to show on a meta page. Keys are bounded
// too (least recently written key is forgotten first), and payloads are
// summarised to a fixed length before they are stored.

/** One recent network event. */
export interface TrafficEvent {
  /** `in` for bytes received, `out` for bytes sent. */
  direction: 'in' | 'out';
  /** Wall-clock milliseconds since the epoch. */
  time: number;
  /** Size of the whole payload in bytes. */
  size: number;
  /** Printable summary: head and tail of the payload with the middle elided. */
  summary: string;
}

export interface RecentOptions {
  /**
   * Events kept per key; older ones are overwritten.
   * @default 32
   */
  size?: number;
  /**
   * Keys kept; the least recently written key is dropped beyond this.
   * @default 256
   */
  maxKeys?: number;
  /**
   * Payload characters (or bytes) a summary keeps, half from the head and half
   * from the tail; control and non-ASCII bytes are then escaped as `\xNN`.
   * @default 64
   */
  summaryLength?: number;
}

export interface RecentInfo {
  enabled: boolean;
  keys: number;
  /** Events written since creation (or the last clear). */
  added: number;
  /** Events refused because recording is disabled. */
  dropped: number;
  /** Keys forgotten to respect `maxKeys`. */
  evictedKeys: number;
  /** Payloads longer than `summaryLength` whose middle was elided. */
  elided: number;
  /** Events whose payload could not be summarised (e.g. a throwing `toString`). */
  badPayloads: number;
}

class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): T[] {
    if (this.items.length < this.capacity) return this.items.slice();
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

/** Rings of recent events per key; see the module comment. */
export class Recent {
  readonly size: number;
  readonly maxKeys: number;
  readonly summaryLength: number;
  private readonly rings = new Map<string, Ring<unknown>>();
  private enabled = true;
  private counts = { added: 0, dropped: 0, evictedKeys: 0, elided: 0, badPayloads: 0 };

  constructor(options: Required<RecentOptions>) {
    this.size = options.size;
    this.maxKeys = options.maxKeys;
    this.summaryLength = options.summaryLength;
  }

  /**
   * Records an event under `key`. What is kept is a plain-JSON copy of at
   * most MAX_EVENT_BYTES (4 KiB) of JSON, made by the rules of the log ring
   * (BigInt as a string, `[Circular]`, `[Unserializable: …]`, truncation
   * marked), so the rings always serialize.
   */
  add(key: string, event: unknown): void {
    if (!this.enabled) {
      this.counts.dropped++;
      return;
    }
    this.push(key, safeValue(event, MAX_EVENT_BYTES));
  }

  private push(key: string, event: unknown): void {
    if (!this.enabled) {
      this.counts.dropped++;
      return;
    }
    this.ring(typeof key === 'string' ? key : safeString(key)).push(event);
    this.counts.added++;
  }

  /**
   * Records network traffic under `key` (e.g. `"db1:5432"`): direction, time,
   * size, and a summary of at most `summaryLength` characters. Only the head
   * and tail of the payload are read, so a huge payload costs no more than a
   * small one.
   */
  addTraffic(key: string, direction: 'in' | 'out', payload: Uint8Array | string): void {
    if (!this.enabled) {
      this.counts.dropped++;
      return;
    }
    let size = 0;
    let summary: string;
    try {
      size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
      summary = this.summarize(payload);
    } catch {
      this.counts.badPayloads++;
      summary = '<unprintable>';
    }
    this.push(key, { direction, time: Date.now(), size, summary } satisfies TrafficEvent);
  }

  /** Events under `key`, oldest first. */
  get(key: string): unknown[] {
    return this.rings.get(key)?.toArray() ?? [];
  }

  keys(): string[] {
    return [...this.rings.keys()];
  }

  /** Stops recording and frees what was held, for memory-tight services. */
  disable(): void {
    this.enabled = false;
    this.rings.clear();
  }

  enable(): void {
    this.enabled = true;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  clear(): void {
    this.rings.clear();
    this.counts = { added: 0, dropped: 0, evictedKeys: 0, elided: 0, badPayloads: 0 };
  }

  info(): RecentInfo {
    return { enabled: this.enabled, keys: this.rings.size, ...this.counts };
  }

  toJSON(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const [key, ring] of this.rings) out[key] = ring.toArray();
    return out;
  }

  private ring(key: string): Ring<unknown> {
    let ring = this.rings.get(key);
    if (ring !== undefined) {
      // Re-insert so the Map's order is least recently written first.
      this.rings.delete(key);
      this.rings.set(key, ring);
      return ring;
    }
    if (this.rings.size >= this.maxKeys) {
      const oldest = this.rings.keys().next();
      if (!oldest.done) {
        this.rings.delete(oldest.value);
        this.counts.evictedKeys++;
      }
    }
    ring = new Ring(this.size);
    this.rings.set(key, ring);
    return ring;
  }

  private summarize(payload: Uint8Array | string): string {
    const max = this.summaryLength;
    const length = payload.length;
    if (length <= max) return printable(payload, 0, length);
    this.counts.elided++;
    const head = Math.ceil(max / 2);
    const tail = max - head;
    const skipped = length - head - tail;
    const unit = typeof payload === 'string' ? 'chars' : 'bytes';
    return `${printable(payload, 0, head)}…(${skipped} ${unit})…${printable(payload, length - tail, length)}`;
  }
}

/** A slice as text with control and non-ASCII bytes escaped, so the summary is safe to print. */
function printable(payload: Uint8Array | string, start: number, end: number): string {
  if (typeof payload === 'string') {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    return payload.slice(start, end).replace(/[\x00-\x1f\x7f]/g, escapeChar);
  }
  let out = '';
  for (let i = start; i < end; i++) {
    const byte = payload[i]!;
    out +=
      byte >= 0x20 && byte < 0x7f
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function escapeChar(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

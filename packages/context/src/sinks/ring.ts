import type { LogRecord, Sink } from '../log/record.js';
import { maxRecordBytesOption, safeRecord } from '../log/safe.js';

/** Options of {@link RingSink}. */
export interface RingSinkOptions {
  /**
   * Most UTF-8 bytes of the JSON text of each record kept; what does not fit
   * is cut and the record marked `truncated: true`.
   * @default 16384
   */
  maxRecordBytes?: number;
}

/**
 * Keeps the last `capacity` records in memory, for a meta page to show. It
 * keeps a JSON-safe copy of each record, bounded in bytes (see
 * `safeRecord`), so the ring — and `ctx.snapshot()` — always serializes.
 */
export class RingSink implements Sink {
  private readonly items: LogRecord[] = [];
  private next = 0;
  private written = 0;
  readonly maxRecordBytes: number;

  constructor(
    readonly capacity = 1000,
    options?: RingSinkOptions,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`RingSink capacity must be a positive integer, got ${capacity}`);
    }
    this.maxRecordBytes = maxRecordBytesOption('RingSink', options);
  }

  write(record: LogRecord): void {
    const copy = safeRecord(record, this.maxRecordBytes);
    if (this.items.length < this.capacity) this.items.push(copy);
    else this.items[this.next] = copy;
    this.next = (this.next + 1) % this.capacity;
    this.written++;
  }

  /** Records held, oldest first. */
  records(): LogRecord[] {
    if (this.items.length < this.capacity) return this.items.slice();
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }

  /** Records written since creation, including ones already overwritten. */
  get total(): number {
    return this.written;
  }

  clear(): void {
    this.items.length = 0;
    this.next = 0;
  }
}

import type { LogRecord, Sink } from '../log/record.js';

/** Keeps the last `capacity` records in memory, for a meta page to show. */
export class RingSink implements Sink {
  private readonly items: LogRecord[] = [];
  private next = 0;
  private written = 0;

  constructor(readonly capacity = 1000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new TypeError(`RingSink capacity must be a positive integer, got ${capacity}`);
    }
  }

  write(record: LogRecord): void {
    if (this.items.length < this.capacity) this.items.push(record);
    else this.items[this.next] = record;
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

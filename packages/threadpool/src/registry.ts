import { Buffer } from 'node:buffer';

// A pool's tasks, numbered, in memory its threads share (the buffer goes to
// every thread in workerData). A call then carries a small integer instead of
// its module URL and export name, which were cloned into every message; a
// thread that meets a number it has not seen reads the entry here, so no
// thread has to be told about a task, however late it started.
//
// Layout: an Int32 count of published entries, then per entry an Int32 byte
// length and the UTF-8 of `${url}\n${name}` (a URL has no raw newline), each
// entry starting on a 4-byte boundary. Only the main thread writes; it stores
// the count last (Atomics), after the entry's bytes. worker.mjs reads it.

/** Bytes of a pool's table: room for some hundreds of tasks. */
export const REGISTRY_BYTES = 64 * 1024;

const HEADER = 4;

export class TaskRegistry {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly bytes: Buffer;
  private readonly ids = new Map<string, number>();
  private used = HEADER;

  constructor(capacity = REGISTRY_BYTES) {
    this.buffer = new SharedArrayBuffer(capacity);
    this.words = new Int32Array(this.buffer);
    this.bytes = Buffer.from(this.buffer);
  }

  /** Tasks registered so far. */
  get size(): number {
    return this.ids.size;
  }

  /**
   * The number of the task, registered on first use; -1 once the table is
   * full, and such a task's calls carry its URL and name as before.
   */
  idOf(url: string, name: string): number {
    const key = `${url}\n${name}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const length = Buffer.byteLength(key);
    const at = this.used;
    if (at + 4 + length > this.bytes.length) return -1;
    this.words[at >> 2] = length;
    this.bytes.write(key, at + 4, 'utf8');
    this.used = (at + 4 + length + 3) & ~3;
    const id = this.ids.size;
    this.ids.set(key, id);
    Atomics.store(this.words, 0, id + 1);
    return id;
  }
}

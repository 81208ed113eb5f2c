// The receive buffer: a queue of the chunks as they arrived. Reads that fall
// inside one chunk are zero-copy views; reads that span chunks copy exactly
// once. Delimiter searches resume where the previous one stopped, so a message
// that arrives in many chunks is scanned in linear time (no concat per chunk).

const EMPTY = Buffer.alloc(0);

export class ChunkQueue {
  /** Total bytes buffered. */
  length = 0;
  private chunks: Buffer[] = [];
  /** Index of the first live chunk. */
  private head = 0;
  /** Bytes already consumed from `chunks[head]`. */
  private offset = 0;
  /** Bumped on every consume; invalidates the search hint. */
  private generation = 0;
  private hintGeneration = -1;
  private hintIndex = 0;
  private hintPos = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns the first `n` bytes (`n <= length`). */
  take(n: number): Buffer {
    if (n === 0) return EMPTY;
    return this.takeInHead(n) ?? this.copyOut(n, true);
  }

  /**
   * Removes and returns the first `n` bytes when they lie in the first chunk
   * (a view of it, or the chunk itself); otherwise, and for `n` = 0,
   * `undefined` with nothing consumed.
   */
  takeInHead(n: number): Buffer | undefined {
    if (n === 0 || this.length < n) return undefined;
    const first = this.chunks[this.head]!;
    const start = this.offset;
    const end = start + n;
    if (end > first.length) return undefined;
    this.generation++;
    this.length -= n;
    if (end === first.length) this.dropHead();
    else this.offset = end;
    return start === 0 && end === first.length ? first : first.subarray(start, end);
  }

  /**
   * Discards the first `skip` bytes and removes and returns the next `n`
   * (`skip + n <= length`): one step when both lie in the first chunk, as a
   * length prefix and its payload mostly do.
   */
  skipTake(skip: number, n: number): Buffer {
    const first = this.chunks[this.head]!;
    const start = this.offset + skip;
    const end = start + n;
    if (n === 0 || end > first.length) {
      this.skip(skip);
      return this.take(n);
    }
    this.generation++;
    this.length -= skip + n;
    if (end === first.length) this.dropHead();
    else this.offset = end;
    return first.subarray(start, end);
  }

  /**
   * The payload of the frame at the head (a 4-byte big-endian length, then
   * that many bytes), consumed, when the whole frame lies in the first chunk
   * and its length is at most `maxsize`; otherwise `undefined` with nothing
   * consumed, and the caller takes the general path. One bounds check and one
   * view: this is all a framing loop does for most messages.
   */
  takeFrameInHead(maxsize: number): Buffer | undefined {
    if (this.length < 4) return undefined;
    const first = this.chunks[this.head]!;
    const o = this.offset;
    const start = o + 4;
    if (start > first.length) return undefined;
    // Unsigned: `<< 24` alone would make lengths from 2 GiB up negative.
    const size =
      ((first[o]! << 24) | (first[o + 1]! << 16) | (first[o + 2]! << 8) | first[o + 3]!) >>> 0;
    const end = start + size;
    if (size > maxsize || end > first.length) return undefined;
    this.generation++;
    this.length -= end - o;
    if (end === first.length) this.dropHead();
    else this.offset = end;
    return first.subarray(start, end);
  }

  /** Bytes left in the first chunk: what can be taken without copying. */
  headLength(): number {
    return this.length === 0 ? 0 : this.chunks[this.head]!.length - this.offset;
  }

  /** Returns the first `n` bytes (`n <= length`) without consuming them. */
  peek(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[this.head]!;
    if (this.offset + n <= first.length) return first.subarray(this.offset, this.offset + n);
    return this.copyOut(n, false);
  }

  /** Discards the first `n` bytes (`n <= length`). */
  skip(n: number): void {
    let left = n;
    this.generation++;
    this.length -= n;
    while (left > 0) {
      const avail = this.chunks[this.head]!.length - this.offset;
      if (left < avail) {
        this.offset += left;
        return;
      }
      left -= avail;
      this.dropHead();
    }
  }

  /** The unsigned 32-bit big-endian integer in the first 4 bytes (`length >= 4`), not consumed. */
  uint32BE(): number {
    const first = this.chunks[this.head]!;
    const o = this.offset;
    if (o + 4 <= first.length) return first.readUInt32BE(o);
    return (
      this.byteAt(0) * 0x1000000 + (this.byteAt(1) << 16) + (this.byteAt(2) << 8) + this.byteAt(3)
    );
  }

  /** Byte at position `pos` (`pos < length`). */
  byteAt(pos: number): number {
    let i = this.head;
    let p = pos + this.offset;
    for (;;) {
      const c = this.chunks[i]!;
      if (p < c.length) return c[p]!;
      p -= c.length;
      i++;
    }
  }

  /**
   * Position of the first occurrence of `delim` starting at or after `from`,
   * or -1. Matches that straddle chunk boundaries are found too.
   */
  indexOf(delim: Buffer, from: number): number {
    const dlen = delim.length;
    if (this.length - from < dlen) return -1;
    let i = this.head;
    let pos = 0;
    if (this.hintGeneration === this.generation && this.hintPos <= from) {
      i = this.hintIndex;
      pos = this.hintPos;
    }
    // Walk to the chunk that holds `from`.
    for (;;) {
      const live = this.chunks[i]!.length - (i === this.head ? this.offset : 0);
      if (from < pos + live) break;
      pos += live;
      i++;
    }
    this.hintGeneration = this.generation;
    this.hintIndex = i;
    this.hintPos = pos;
    const count = this.chunks.length;
    for (; i < count; i++) {
      const c = this.chunks[i]!;
      const s = i === this.head ? this.offset : 0;
      const localFrom = s + (from > pos ? from - pos : 0);
      const idx = c.indexOf(delim, localFrom);
      if (idx !== -1) return pos + idx - s;
      if (dlen > 1 && i + 1 < count) {
        for (let k = Math.max(localFrom, c.length - dlen + 1); k < c.length; k++) {
          if (this.matchesAt(delim, i, k)) return pos + k - s;
        }
      }
      pos += c.length - s;
    }
    return -1;
  }

  /** Everything buffered, as one Buffer, without consuming it. */
  peekAll(): Buffer {
    return this.peek(this.length);
  }

  /** Removes and returns everything buffered. */
  takeAll(): Buffer {
    return this.take(this.length);
  }

  private matchesAt(delim: Buffer, index: number, at: number): boolean {
    let c = this.chunks[index]!;
    let j = at;
    for (let d = 0; d < delim.length; d++) {
      while (j >= c.length) {
        index++;
        if (index >= this.chunks.length) return false;
        c = this.chunks[index]!;
        j = 0;
      }
      if (c[j] !== delim[d]) return false;
      j++;
    }
    return true;
  }

  private copyOut(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    let i = this.head;
    let off = this.offset;
    while (written < n) {
      const c = this.chunks[i]!;
      const count = Math.min(c.length - off, n - written);
      c.copy(out, written, off, off + count);
      written += count;
      off += count;
      if (off === c.length) {
        i++;
        off = 0;
      }
    }
    if (consume) {
      this.generation++;
      this.length -= n;
      // Count-based: dropHead() may compact the array and renumber chunks.
      for (let drop = i - this.head; drop > 0; drop--) this.dropHead();
      this.offset = off;
    }
    return out;
  }

  private dropHead(): void {
    this.chunks[this.head] = EMPTY;
    this.head++;
    this.offset = 0;
    if (this.head === this.chunks.length) {
      this.chunks.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

import { rng } from '@support-tools/test-utils';
import { describe, expect, it } from 'vitest';
import { ChunkQueue } from '../src/chunk-queue.js';

describe('ChunkQueue', () => {
  it('matches Buffer.concat + indexOf for delimiters straddling random chunk boundaries', () => {
    const random = rng(42);
    for (let round = 0; round < 300; round++) {
      const alphabet = 'ab\r\n';
      const total = 1 + Math.floor(random() * 200);
      const data = Buffer.from(
        Array.from({ length: total }, () => alphabet[Math.floor(random() * 4)]).join(''),
      );
      const queue = new ChunkQueue();
      let at = 0;
      while (at < data.length) {
        const size = 1 + Math.floor(random() * 7);
        queue.push(data.subarray(at, at + size));
        at += size;
      }
      const skip = Math.floor(random() * Math.min(5, data.length));
      queue.skip(skip);
      const rest = data.subarray(skip);
      for (const delim of ['\r\n', 'ab\r', '\n\n\n', 'a']) {
        const d = Buffer.from(delim);
        const from = Math.floor(random() * (rest.length + 1));
        expect(queue.indexOf(d, from)).toBe(rest.indexOf(d, from));
      }
      const n = Math.floor(random() * (rest.length + 1));
      expect(queue.peek(n).equals(rest.subarray(0, n))).toBe(true);
      expect(queue.take(n).equals(rest.subarray(0, n))).toBe(true);
      expect(queue.length).toBe(rest.length - n);
      expect(queue.takeAll().equals(rest.subarray(n))).toBe(true);
    }
  });

  it('returns zero-copy views for reads inside one chunk', () => {
    const chunk = Buffer.from('0123456789');
    const queue = new ChunkQueue();
    queue.push(chunk);
    const part = queue.take(4);
    expect(part.buffer).toBe(chunk.buffer);
    expect(queue.byteAt(0)).toBe('4'.charCodeAt(0));
  });

  it('stays correct across many consumed chunks (array compaction)', () => {
    const queue = new ChunkQueue();
    for (let i = 0; i < 5000; i++) queue.push(Buffer.from([i & 0xff]));
    for (let i = 0; i < 4000; i++) expect(queue.take(1)[0]).toBe(i & 0xff);
    expect(queue.length).toBe(1000);
    expect(queue.take(3)).toEqual(Buffer.from([4000 & 0xff, 4001 & 0xff, 4002 & 0xff]));
  });

  it('takeFrameInHead / takeInHead take only what lies whole in the first chunk, else nothing', () => {
    const random = rng(7);
    const int = (n: number) => Math.floor(random() * n);
    const seen = { frames: 0, framesLeft: 0, views: 0, viewsLeft: 0 };
    for (let round = 0; round < 300; round++) {
      // Mostly frames (length 0–19), sometimes a stray byte that misaligns them.
      const pieces: Buffer[] = [];
      for (let k = int(8); k >= 0; k--) {
        if (int(6) === 0) {
          pieces.push(Buffer.from([int(256)]));
          continue;
        }
        const frame = Buffer.alloc(4 + int(20), int(256));
        frame.writeUInt32BE(frame.length - 4, 0);
        pieces.push(frame);
      }
      const data = Buffer.concat(pieces);
      const queue = new ChunkQueue();
      const ends: number[] = [];
      for (let at = 0; at < data.length; at = ends.at(-1)!) {
        ends.push(Math.min(data.length, at + 1 + int(40)));
        queue.push(data.subarray(at, ends.at(-1)));
      }
      const maxsize = int(24);
      let pos = 0;
      const headEnd = () => ends.find((end) => end > pos)!;
      while (pos < data.length) {
        const before = queue.length;
        if (random() < 0.7) {
          const size = pos + 4 <= data.length ? data.readUInt32BE(pos) : -1;
          const frame = queue.takeFrameInHead(maxsize);
          if (size >= 0 && size <= maxsize && pos + 4 + size <= headEnd()) {
            expect(frame?.equals(data.subarray(pos + 4, pos + 4 + size))).toBe(true);
            pos += 4 + size;
            seen.frames++;
          } else {
            expect(frame).toBeUndefined();
            expect(queue.length).toBe(before);
            // Step over it the general way (copying across chunks).
            const n = size >= 0 && pos + 4 + size <= data.length ? 4 + size : 1;
            expect(queue.take(n).equals(data.subarray(pos, pos + n))).toBe(true);
            pos += n;
            seen.framesLeft++;
          }
        } else {
          const n = int(8);
          const view = queue.takeInHead(n);
          if (n > 0 && pos + n <= headEnd()) {
            expect(view?.equals(data.subarray(pos, pos + n))).toBe(true);
            pos += n;
            seen.views++;
          } else {
            expect(view).toBeUndefined();
            expect(queue.length).toBe(before);
            seen.viewsLeft++;
          }
        }
        expect(queue.length).toBe(data.length - pos);
        expect(queue.peekAll().equals(data.subarray(pos))).toBe(true);
      }
    }
    // Every branch was exercised, many times.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(100);
  });
});

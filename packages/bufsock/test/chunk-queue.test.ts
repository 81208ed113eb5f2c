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
});

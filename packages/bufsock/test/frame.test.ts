import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferedSocket,
  ConnectionClosedError,
  InvalidOptionError,
  MessageTooLongError,
} from '../src/index.js';
import { type Pair, tcpPair } from './helpers.js';

/** Payloads as 4-byte big-endian length-prefixed frames. */
function frames(payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(p.length, 0);
      return [header, p];
    }),
  );
}

describe('length-prefixed frames (tryRecvFrame / recvFrame)', () => {
  let pair: Pair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('give back every payload exactly, however the bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 20 }),
        async (raw, cuts) => {
          const payloads = raw.map((p) => Buffer.from(p));
          const wire = frames(payloads);
          const loop = new PassThrough();
          const bs = new BufferedSocket(loop, { timeout: 5000, maxsize: 1024 });
          const got: Buffer[] = [];
          const reading = (async () => {
            for (let i = 0; i < payloads.length; i++)
              got.push(bs.tryRecvFrame() ?? (await bs.recvFrame()));
          })();
          // Chunks of the given sizes in turn, each its own 'data' event.
          for (let at = 0, k = 0; at < wire.length; k++) {
            const size = cuts[k % cuts.length]!;
            loop.write(wire.subarray(at, at + size));
            at += size;
            await new Promise((resolve) => setImmediate(resolve));
          }
          await reading;
          expect(got.map((b) => b.toString('hex'))).toEqual(payloads.map((b) => b.toString('hex')));
          expect(bs.tryRecvFrame()).toBeUndefined();
          await bs.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuse a length above maxsize with nothing consumed, over a real socket', async () => {
    pair = await tcpPair();
    const bs = new BufferedSocket(pair.local, { timeout: 2000, maxsize: 64 });
    pair.remote.write(frames([Buffer.alloc(65, 1)]));
    const error = await bs.recvFrame().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLongError);
    expect((error as MessageTooLongError).code).toBe('SUP_ERR_BUFSOCK_MESSAGE_TOO_LONG');
    expect(() => bs.tryRecvFrame()).toThrow(MessageTooLongError);
    // The announced length is still there to read.
    expect((await bs.recvSize(4)).readUInt32BE(0)).toBe(65);
    await bs.close();
  });

  it('a frame cut short by the end of the stream rejects with ConnectionClosedError', async () => {
    pair = await tcpPair();
    const bs = new BufferedSocket(pair.local, { timeout: 2000 });
    pair.remote.end(frames([Buffer.from('whole'), Buffer.from('cut short')]).subarray(0, 15));
    expect((await bs.recvFrame()).toString()).toBe('whole');
    await expect(bs.recvFrame()).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(() => bs.tryRecvFrame()).toThrow(ConnectionClosedError);
    await bs.close();
  });

  it('a frame inside one chunk is a view of it; one across chunks is a copy with the same bytes', async () => {
    const loop = new PassThrough();
    const bs = new BufferedSocket(loop, { timeout: 2000 });
    const wire = frames([Buffer.from('first'), Buffer.from('second'), Buffer.from('third')]);
    // The third frame is cut: its header and 2 payload bytes in the first chunk.
    const head = Buffer.from(wire.subarray(0, wire.length - 3));
    const tail = Buffer.from(wire.subarray(wire.length - 3));
    loop.write(head);
    await bs.peek(1);
    const first = bs.tryRecvFrame()!;
    const second = await bs.recvFrame();
    expect([first.toString(), second.toString()]).toEqual(['first', 'second']);
    expect(bs.tryRecvFrame()).toBeUndefined();
    loop.write(tail);
    const third = await bs.recvFrame();
    expect(third.toString()).toBe('third');
    expect(bs.bufferedLength).toBe(0);
    // Views share the chunk's memory; the copy shares neither chunk's.
    head.fill(0x2e);
    tail.fill(0x2e);
    expect([first.toString(), second.toString(), third.toString()]).toEqual([
      '.....',
      '......',
      'third',
    ]);
    await bs.close();
  });

  it('reads the length unsigned: 2 GiB and up is too long, not negative', async () => {
    const loop = new PassThrough();
    const bs = new BufferedSocket(loop, { timeout: 2000, maxsize: 64 });
    for (const header of ['80000000', 'ffffffff']) {
      loop.write(Buffer.concat([Buffer.from(header, 'hex'), Buffer.alloc(8)]));
      await bs.peek(12);
      const thrown = (() => {
        try {
          return bs.tryRecvFrame();
        } catch (error) {
          return error;
        }
      })();
      expect(thrown).toBeInstanceOf(MessageTooLongError);
      expect((thrown as MessageTooLongError).message).toContain(
        String(Number.parseInt(header, 16)),
      );
      await expect(bs.recvFrame()).rejects.toBeInstanceOf(MessageTooLongError);
      // Nothing consumed: the header is still there.
      expect(bs.tryRecvSize(4)!.toString('hex')).toBe(header);
      expect(bs.tryRecvSize(8)!.length).toBe(8);
    }
    await bs.close();
  });

  it('recvFrame with options still validates them when the frame is buffered', async () => {
    const loop = new PassThrough();
    const bs = new BufferedSocket(loop, { timeout: 2000 });
    loop.write(frames([Buffer.from('kept')]));
    await bs.peek(8);
    await expect(bs.recvFrame({ timeout: -1 })).rejects.toBeInstanceOf(InvalidOptionError);
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(bs.recvFrame({ signal: aborted })).rejects.toThrow('stop');
    expect((await bs.recvFrame({ timeout: 100 })).toString()).toBe('kept');
    await bs.close();
  });

  it('draining a paused buffer with tryRecvFrame resumes the socket', async () => {
    const loop = new PassThrough();
    const bs = new BufferedSocket(loop, { timeout: 2000, maxsize: 64 });
    const payloads = Array.from({ length: 40 }, (_, i) => Buffer.alloc(10, i));
    loop.write(frames(payloads));
    await bs.peek(1);
    expect(loop.isPaused()).toBe(true);
    const got: Buffer[] = [];
    for (let frame = bs.tryRecvFrame(); frame !== undefined; frame = bs.tryRecvFrame()) {
      got.push(frame);
    }
    expect(loop.isPaused()).toBe(false);
    expect(got).toEqual(payloads);
    await bs.close();
  });
});

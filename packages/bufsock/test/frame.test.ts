import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedSocket, ConnectionClosedError, MessageTooLongError } from '../src/index.js';
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
    const { PassThrough } = await import('node:stream');
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
});

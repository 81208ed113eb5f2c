import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BufsockError, NetstringMessageTooLongError, NetstringSocket } from '../src/index.js';
import { type Pair, tcpPair, write } from './helpers.js';

let pair: Pair | undefined;
let ns: NetstringSocket | undefined;

afterEach(async () => {
  await ns?.close();
  await pair?.close();
  ns = undefined;
  pair = undefined;
});

async function tooLong(sent: string, maxsize: number): Promise<NetstringMessageTooLongError> {
  pair = await tcpPair();
  ns = new NetstringSocket(pair.local, { maxsize });
  await write(pair.remote, sent);
  const error = await ns.readNetstring({ timeout: 5_000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NetstringMessageTooLongError);
  return error as NetstringMessageTooLongError;
}

describe('NetstringMessageTooLongError reports the length announced', () => {
  it('reports a huge announced length as sent, not the digits it stopped at', async () => {
    const error = await tooLong('99999999999999999999999:', 100_000);
    expect(error.message).toBe('netstring of 99999999999999999999999 bytes exceeds maxsize 100000');
    expect(error.announced).toBe('99999999999999999999999');
    expect(error.size).toBe(1e23);
    expect(error.maxsize).toBe(100_000);
  });

  it('says "more than maxsize" when the length prefix has not been read in full', async () => {
    const error = await tooLong('1234567', 100);
    expect(error.message).toBe(
      'netstring of more than 100 bytes (length prefix 1234567…) exceeds maxsize 100',
    );
    expect(error.announced).toBe('1234567…');
    expect(error.size).toBeGreaterThan(100);
  });

  it('cuts the reported prefix at 40 digits', async () => {
    const error = await tooLong('9'.repeat(60), 100);
    expect(error.announced).toBe(`${'9'.repeat(40)}…`);
  });

  it('reports an exact length just past maxsize exactly', async () => {
    const error = await tooLong('101:', 100);
    expect(error.message).toBe('netstring of 101 bytes exceeds maxsize 100');
    expect(error.size).toBe(101);
  });
});

/** Reads every whole netstring buffered in `socket`; stops at the first (coded) error. */
function drain(socket: NetstringSocket): { payloads: Buffer[]; error?: unknown } {
  const payloads: Buffer[] = [];
  for (;;) {
    let payload: Buffer | undefined;
    try {
      payload = socket.tryReadNetstring();
    } catch (error) {
      return { payloads, error };
    }
    if (payload === undefined) return { payloads };
    payloads.push(payload);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('netstring parser fuzz', () => {
  const maxsize = 64;
  const netstring = (b: Uint8Array) =>
    Buffer.concat([Buffer.from(`${b.length}:`), Buffer.from(b), Buffer.from(',')]);

  it('random and mutated input: no crash, only coded errors, bounded buffer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (payloads, mutations, cuts) => {
          const input = Buffer.concat(payloads.map(netstring));
          for (const [at, byte] of mutations) if (input.length > 0) input[at % input.length] = byte;
          const stream = new PassThrough();
          const socket = new NetstringSocket(stream, { maxsize });
          try {
            const got: Buffer[] = [];
            let failure: unknown;
            let offset = 0;
            let cut = 0;
            while (offset < input.length && failure === undefined) {
              const size = cuts[cut++ % cuts.length]!;
              stream.write(input.subarray(offset, offset + size));
              offset += size;
              await tick();
              const { payloads: some, error } = drain(socket);
              got.push(...some);
              failure = error;
              if (failure === undefined) {
                // A partial netstring never holds more than its length, prefix and comma.
                expect(socket.bufferedLength).toBeLessThan(maxsize + String(maxsize).length + 3);
              }
            }
            if (failure !== undefined) {
              expect(failure).toBeInstanceOf(BufsockError);
              expect((failure as BufsockError).code).toMatch(/^SUP_ERR_BUFSOCK_NETSTRING_/);
            }
            if (mutations.length === 0) {
              // Unmutated input parses back exactly, up to the first oversize payload.
              const fits = payloads.findIndex((p) => p.length > maxsize);
              const expected = fits === -1 ? payloads : payloads.slice(0, fits);
              expect(got.map((b) => [...b])).toEqual(expected.map((b) => [...b]));
              if (fits !== -1) expect(failure).toBeInstanceOf(NetstringMessageTooLongError);
            }
          } finally {
            await socket.close();
            stream.destroy();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferedSocket, MessageTooLongError } from '../src/index.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** The messages a reference split of `input` on any of `delims` yields (earliest match wins). */
function referenceSplit(input: Buffer, delims: Buffer[]): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let from = 0;
  for (;;) {
    let best = -1;
    let bestLength = 0;
    for (const d of delims) {
      const at = input.indexOf(d, from);
      if (at !== -1 && (best === -1 || at < best || (at === best && d.length > bestLength))) {
        best = at;
        bestLength = d.length;
      }
    }
    if (best === -1) return { messages, rest: input.subarray(from) };
    messages.push(input.subarray(from, best));
    from = best + bestLength;
  }
}

describe('delimiter parser fuzz (tryRecvUntil)', () => {
  it('any chunking of random bytes: the same messages as a plain split, or MessageTooLongError, bounded buffer', async () => {
    const maxsize = 48;
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b.map((x) => (x % 4) + 0x61))),
        // No alternative is a prefix of another here: with ['dd', 'd'] which one matches
        // depends on where a chunk ends (see the README), so no plain split predicts it.
        fc.constantFrom(['ab'], ['\r\n'], ['a', 'bc'], ['dd', 'c'], ['cd', 'da']),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        async (input, delimStrings, cuts) => {
          const delims = delimStrings.map((d) => Buffer.from(d));
          const stream = new PassThrough();
          const socket = new BufferedSocket(stream, { maxsize });
          const got: Buffer[] = [];
          let failure: unknown;
          try {
            let offset = 0;
            let cut = 0;
            while (offset < input.length && failure === undefined) {
              const size = cuts[cut++ % cuts.length]!;
              stream.write(input.subarray(offset, offset + size));
              offset += size;
              await tick();
              for (;;) {
                let message: Buffer | undefined;
                try {
                  message = socket.tryRecvUntil(delimStrings);
                } catch (error) {
                  failure = error;
                  break;
                }
                if (message === undefined) break;
                got.push(message);
              }
              if (failure === undefined) {
                // Unconsumed bytes: at most maxsize + a delimiter, plus the last chunk.
                expect(socket.bufferedLength).toBeLessThanOrEqual(maxsize + 2 + size);
              }
            }
            const expected = referenceSplit(input, delims);
            if (failure === undefined) {
              expect(got.map(String)).toEqual(expected.messages.map(String));
            } else {
              expect(failure).toBeInstanceOf(MessageTooLongError);
              // Every message before the failure was right.
              expect(got.map(String)).toEqual(expected.messages.slice(0, got.length).map(String));
            }
          } finally {
            await socket.close();
            stream.destroy();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Length-prefixed framing in memory: a Duplex hands over prepared 64 KiB
// chunks, so the parsers' own cost shows without the socket's. run.mjs starts
// it in a process of its own; run it alone (after `pnpm build`) for a quicker
// look:
//   node bench/framing-memory.mjs [rounds=9] [messages=1000000]
import { Duplex } from 'node:stream';
import { BufferedSocket } from '@support/bufsock';
import { printRatios, ratios } from './framing-report.mjs';
import { handParser } from './hand-parser.mjs';

const KiB = 1024;
const CHUNK = 64 * KiB;
const PAYLOAD = 100;

function prepare(messages) {
  const frame = 4 + PAYLOAD;
  const wire = Buffer.alloc(messages * frame);
  for (let i = 0; i < messages; i++) {
    wire.writeUInt32BE(PAYLOAD, i * frame);
    wire.fill(i & 255, i * frame + 4, (i + 1) * frame);
  }
  const chunks = [];
  for (let at = 0; at < wire.length; at += CHUNK) chunks.push(wire.subarray(at, at + CHUNK));
  return chunks;
}

function contenders(chunks, messages) {
  const source = () => {
    let k = 0;
    return new Duplex({
      read() {
        this.push(k < chunks.length ? chunks[k++] : null);
      },
      write(_c, _e, cb) {
        cb();
      },
    });
  };
  return {
    baseline: () =>
      handParser(source(), PAYLOAD).then((count) => {
        if (count !== messages) throw new Error(`got ${count}`);
      }),
    // The same parser making the Buffers the general path makes: the 4-byte
    // header and the payload, each a view. The floor for two Buffers a message.
    twoViews: () =>
      new Promise((resolve, reject) => {
        const stream = source();
        let pending = null;
        let count = 0;
        stream.on('data', (chunk) => {
          const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
          let at = 0;
          while (buf.length - at >= 4) {
            const length = buf.subarray(at, at + 4).readUInt32BE(0);
            if (buf.length - at - 4 < length) break;
            if (buf.subarray(at + 4, at + 4 + length).length !== PAYLOAD) {
              reject(new Error('bad frame'));
            }
            count++;
            at += 4 + length;
          }
          pending = at === buf.length ? null : buf.subarray(at);
        });
        stream.on('end', () =>
          count === messages ? resolve() : reject(new Error(`got ${count}`)),
        );
      }),
    frame: async () => {
      const bs = new BufferedSocket(source(), { timeout: 30_000, maxsize: 256 * KiB });
      for (let count = 0; count < messages; count++) {
        const payload = bs.tryRecvFrame() ?? (await bs.recvFrame());
        if (payload.length !== PAYLOAD) throw new Error('bad frame');
      }
      await bs.close();
    },
    size: async () => {
      const bs = new BufferedSocket(source(), { timeout: 30_000, maxsize: 256 * KiB });
      for (let count = 0; count < messages; count++) {
        const header = bs.tryRecvSize(4) ?? (await bs.recvSize(4));
        const length = header.readUInt32BE(0);
        const payload = bs.tryRecvSize(length) ?? (await bs.recvSize(length));
        if (payload.length !== PAYLOAD) throw new Error('bad frame');
      }
      await bs.close();
    },
  };
}

/**
 * Rounds in which the receivers run one after the other (the order rotating
 * each round), so noise from the shared machine hits all alike. Each run is
 * timed by the wall clock and by the process's CPU time (user + system): on a
 * machine shared with other jobs the CPU time is the steadier of the two.
 * No forced GC between runs: a full GC with no BufferedSocket alive collects
 * its hidden classes, so every run would start from unoptimised code, which a
 * server holding connections never sees (the hand parsers have no classes).
 */
async function framingInMemory({ messages = 1_000_000, rounds = 9 } = {}) {
  const run = contenders(prepare(messages), messages);
  const kinds = Object.keys(run);
  const wall = Object.fromEntries(kinds.map((k) => [k, []]));
  const cpu = Object.fromEntries(kinds.map((k) => [k, []]));
  for (const kind of kinds) await run[kind]();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(i + round) % kinds.length];
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await run[kind]();
      wall[kind].push(Number(process.hrtime.bigint() - t0) / 1e9);
      const c = process.cpuUsage(c0);
      cpu[kind].push((c.user + c.system) / 1e6);
    }
  }
  return { messages, rounds, ...ratios(kinds, wall, cpu, messages) };
}

/** Prints the markdown section for a result of {@link framingInMemory}. */
function printFramingInMemory(result) {
  const { messages, rounds } = result;
  printRatios(
    `Length-prefixed framing in memory: ${messages.toLocaleString('en-US')} × (4 + ${PAYLOAD} bytes) in 64 KiB chunks (${rounds} alternating rounds)`,
    result,
    [
      ['`tryRecvFrame() ?? await recvFrame()`', 'frame'],
      ['`tryRecvSize(4) ?? await recvSize(4)`, then the payload likewise', 'size'],
      ['floor for the line above: the hand parser making the same two Buffers', 'twoViews'],
    ],
    '',
  );
}

const rounds = Number(process.argv[2] ?? 9);
const messages = Number(process.argv[3] ?? 1_000_000);
printFramingInMemory(await framingInMemory({ messages, rounds }));

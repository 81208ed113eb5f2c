// Length-prefixed framing over loopback: a child process sends 4-byte length
// + 100-byte payload messages as fast as the socket drains. run.mjs starts
// it in a process of its own; run it alone (after `pnpm build`) for a quicker
// look:
//   node bench/framing-loopback.mjs [rounds=5] [messages=1000000]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { BufferedSocket } from '@support/bufsock';
import { printRatios, ratios } from './framing-report.mjs';
import { handParser } from './hand-parser.mjs';

const PAYLOAD = 100;
const sender = fileURLToPath(new URL('sender.mjs', import.meta.url));

const loops = {
  async: async (bs, messages) => {
    for (let count = 1; count < messages; count++) {
      const header = await bs.recvSize(4);
      const payload = await bs.recvSize(header.readUInt32BE(0));
      if (payload.length !== PAYLOAD) throw new Error('bad frame');
    }
  },
  sync: async (bs, messages) => {
    for (let count = 1; count < messages; count++) {
      const header = bs.tryRecvSize(4) ?? (await bs.recvSize(4));
      const length = header.readUInt32BE(0);
      const payload = bs.tryRecvSize(length) ?? (await bs.recvSize(length));
      if (payload.length !== PAYLOAD) throw new Error('bad frame');
    }
  },
  frame: async (bs, messages) => {
    for (let count = 1; count < messages; count++) {
      const payload = bs.tryRecvFrame() ?? (await bs.recvFrame());
      if (payload.length !== PAYLOAD) throw new Error('bad frame');
    }
  },
};

/** One receiver over a fresh connection; the clock starts at the first message. */
async function receiveWith(kind, messages) {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const child = spawn(process.execPath, [sender, String(server.address().port), String(messages)], {
    stdio: 'inherit',
  });
  const [socket] = await accepted;
  server.close();
  let t0;
  let c0;
  const start = () => {
    t0 = process.hrtime.bigint();
    c0 = process.cpuUsage();
  };
  let count = messages;
  if (kind === 'baseline') {
    count = await handParser(socket, PAYLOAD, start);
  } else {
    const bs = new BufferedSocket(socket, { timeout: 30_000, maxsize: 256 * 1024 });
    const first = await bs.recvSize(4);
    start();
    await bs.recvSize(first.readUInt32BE(0));
    await loops[kind](bs, messages);
    await bs.recvClose({ maxsize: 1 });
    await bs.close();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  socket.destroy();
  await once(child, 'exit');
  if (count !== messages) throw new Error(`${kind}: got ${count} of ${messages}`);
  return { seconds, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Rounds in which the receivers run one after the other (the order rotating
 * each round). Returns messages/s and, per round, each receiver's ratio to the
 * baseline of the same round, by wall clock and by the receiving process's
 * CPU time (the sender is another process).
 */
async function framingOverLoopback({ messages = 1_000_000, rounds = 5 } = {}) {
  const kinds = ['baseline', 'async', 'sync', 'frame'];
  const wall = Object.fromEntries(kinds.map((k) => [k, []]));
  const cpu = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(i + round) % kinds.length];
      const run = await receiveWith(kind, messages);
      wall[kind].push(run.seconds);
      cpu[kind].push(run.cpu);
    }
  }
  return { messages, rounds, ...ratios(kinds, wall, cpu, messages) };
}

/** Prints the markdown section for a result of {@link framingOverLoopback}. */
function printFramingOverLoopback(result) {
  const { messages, rounds } = result;
  printRatios(
    `Length-prefixed framing over loopback: ${messages.toLocaleString('en-US')} × (4 + ${PAYLOAD} bytes), sender in a child process (${rounds} alternating rounds)`,
    result,
    [
      ['`await recvSize(4)` + `await recvSize(n)`', 'async'],
      ['`tryRecvSize() ?? await recvSize()` (sync fast path)', 'sync'],
      ['`tryRecvFrame() ?? await recvFrame()`', 'frame'],
    ],
    '; CPU time of the receiving process only',
  );
}

const rounds = Number(process.argv[2] ?? 5);
const messages = Number(process.argv[3] ?? 1_000_000);
printFramingOverLoopback(await framingOverLoopback({ messages, rounds }));

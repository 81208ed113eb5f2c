// Child process for the flood benchmark (fresh heap per mode): a peer sends
// 100 MiB without ever sending the delimiter; the receiver (mode argv[2]:
// "bufsock" or "naive") looks for "\n". Prints JSON with the peak RSS growth.
import { once } from 'node:events';
import net from 'node:net';
import { BufferedSocket } from '@support/bufsock';

const mode = process.argv[2];
const TOTAL = 100 * 1024 * 1024;
const MAXSIZE = 32 * 1024;

const server = net.createServer().listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();
const accepted = once(server, 'connection');
const client = net.connect({ port, host: '127.0.0.1' });
await once(client, 'connect');
const [peer] = await accepted;
server.close();

globalThis.gc?.();
await new Promise((r) => setTimeout(r, 50));
globalThis.gc?.();
const baseRss = process.memoryUsage().rss;
let peakRss = baseRss;
const sample = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};
const sampler = setInterval(sample, 5);

// The flooding peer: one reused 64 KiB buffer, written as fast as TCP drains.
const chunk = Buffer.alloc(64 * 1024, 'x');
const flood = (async () => {
  for (let sent = 0; sent < TOTAL; sent += chunk.length) {
    if (!peer.write(chunk)) await once(peer, 'drain');
  }
  peer.end();
})();

const t0 = process.hrtime.bigint();
let received = 0;
let tooLong = 0;
/** Most bytes the receiver held at once (what it retains, as opposed to garbage). */
let maxHeld = 0;
/** Buffer memory still live after a full GC at the end (the receiver still holds its data). */
let liveBuffers = 0;
const baseBuffers = process.memoryUsage().arrayBuffers;
const live = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().arrayBuffers - baseBuffers;
};
if (mode === 'bufsock') {
  // A receiver that meets an over-long line discards what is buffered and
  // keeps looking (resynchronising), so the whole 100 MiB flows through.
  const bs = new BufferedSocket(client, { maxsize: MAXSIZE, timeout: 60_000 });
  for (;;) {
    try {
      const line = await bs.recvUntil('\n');
      received += line.length + 1;
    } catch (error) {
      if (error.code === 'SUP_ERR_BUFSOCK_MESSAGE_TOO_LONG') {
        tooLong++;
        maxHeld = Math.max(maxHeld, bs.bufferedLength);
        // Discard what is buffered (recv never copies, so this makes no garbage).
        for (let left = bs.bufferedLength; left > 0; ) {
          const part = await bs.recv(left);
          left -= part.length;
          received += part.length;
        }
        sample();
        continue;
      }
      if (error.code === 'SUP_ERR_BUFSOCK_CONNECTION_CLOSED') {
        received += error.bytesRead;
        break;
      }
      throw error;
    }
  }
  liveBuffers = live();
  await bs.close();
} else if (mode === 'discard') {
  // The floor for any 'data'-based reader: drop every chunk on arrival.
  client.on('data', (data) => {
    received += data.length;
    maxHeld = Math.max(maxHeld, data.length);
    sample();
  });
  await once(client, 'end');
  liveBuffers = live();
  client.destroy();
} else {
  // What people write by hand: keep every chunk until the delimiter shows up
  // (no concat per chunk, so it is linear; but nothing bounds it).
  const chunks = [];
  client.on('data', (data) => {
    chunks.push(data);
    received += data.length;
    maxHeld = received;
    if (data.indexOf(10) !== -1) throw new Error('unexpected delimiter');
    sample();
  });
  await once(client, 'end');
  liveBuffers = live();
  if (chunks.length === 0) throw new Error('nothing received');
  client.destroy();
}
await flood;
clearInterval(sampler);
sample();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    mode,
    received,
    tooLong,
    maxHeld,
    seconds,
    peakGrowth: peakRss - baseRss,
    liveBuffers,
  })}\n`,
);

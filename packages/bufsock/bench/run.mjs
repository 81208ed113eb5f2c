// Benchmarks for @support/bufsock, against the built dist/ (run `pnpm build`
// first, or `pnpm bench bufsock`). Prints the markdown for BENCHMARKS.md.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BufferedSocket } from '@support/bufsock';
import { fmt, machine, median, table } from '@support-tools/bench';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const KiB = 1024;
const MiB = 1024 * KiB;

process.stdout.write(`## @support/bufsock\n\n${machine()}\n\n`);

// ---------------------------------------------------------------------------
// 1. One 32 MiB message arriving in 64 KiB chunks.
{
  const CHUNK = 64 * KiB;
  const TOTAL = 32 * MiB;
  const chunks = [];
  for (let at = 0; at < TOTAL; at += CHUNK) chunks.push(Buffer.alloc(CHUNK, 'x'));
  const delimiter = Buffer.from('\r\n');
  chunks.push(delimiter);

  // An in-process Duplex that hands over the prepared chunks one 'data' event each.
  const source = () =>
    new Duplex({
      read() {},
      write(_c, _e, cb) {
        cb();
      },
    });
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  async function timeOnce(kind) {
    const stream = source();
    let result;
    if (kind === 'naive') {
      // The concat-per-chunk parser: copies and rescans everything each time.
      let buffer = Buffer.alloc(0);
      result = new Promise((resolve) => {
        stream.on('data', (chunk) => {
          buffer = Buffer.concat([buffer, chunk]);
          const at = buffer.indexOf(delimiter);
          if (at !== -1) resolve(buffer.subarray(0, at));
        });
      });
    }
    const bs =
      kind === 'naive'
        ? undefined
        : new BufferedSocket(stream, { timeout: Number.POSITIVE_INFINITY, maxsize: 64 * MiB });
    await settle();
    const t0 = process.hrtime.bigint();
    if (kind === 'recvUntil') result = bs.recvUntil(delimiter, { maxsize: TOTAL });
    if (kind === 'recvSize') result = bs.recvSize(TOTAL + delimiter.length);
    for (const chunk of chunks) stream.push(chunk);
    const message = await result;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (message.length < TOTAL) throw new Error(`${kind}: short message ${message.length}`);
    await bs?.close();
    stream.destroy();
    return ms;
  }

  async function medianMs(kind, runs) {
    await timeOnce(kind);
    const samples = [];
    for (let i = 0; i < runs; i++) {
      globalThis.gc?.();
      samples.push(await timeOnce(kind));
    }
    return median(samples);
  }

  const size = await medianMs('recvSize', 9);
  const until = await medianMs('recvUntil', 9);
  const naive = await medianMs('naive', 3);
  process.stdout.write('### One 32 MiB message in 64 KiB chunks (median ms)\n\n');
  table(
    ['method', 'ms', 'vs recvSize'],
    [
      ['`recvSize(32 MiB + 2)`', fmt(size), '1×'],
      ['`recvUntil("\\r\\n")`', fmt(until), `${fmt(until / size)}×`],
      ['baseline: `Buffer.concat` + `indexOf` per chunk', fmt(naive), `${fmt(naive / size)}×`],
    ],
  );
}

// ---------------------------------------------------------------------------
// 2. Length-prefixed framing over loopback (4-byte length + 100-byte payload).
{
  const MESSAGES = 1_000_000;

  async function receiveWith(kind) {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address();
    const accepted = once(server, 'connection');
    const sender = spawn(process.execPath, [here('sender.mjs'), String(port), String(MESSAGES)], {
      stdio: 'inherit',
    });
    const [socket] = await accepted;
    server.close();
    let count = 0;
    let t0;
    if (kind === 'baseline') {
      // A hand-written 'data' parser: keep the leftover, concat it with the next chunk.
      await new Promise((resolve, reject) => {
        let pending = null;
        socket.on('data', (chunk) => {
          t0 ??= process.hrtime.bigint();
          let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
          let at = 0;
          while (buf.length - at >= 4) {
            const length = buf.readUInt32BE(at);
            if (buf.length - at - 4 < length) break;
            const payload = buf.subarray(at + 4, at + 4 + length);
            if (payload.length !== 100) reject(new Error('bad frame'));
            count++;
            at += 4 + length;
          }
          pending = at === buf.length ? null : buf.subarray(at);
          buf = null;
        });
        socket.on('end', resolve);
      });
    } else {
      const bs = new BufferedSocket(socket, { timeout: 30_000, maxsize: 256 * KiB });
      const first = await bs.recvSize(4);
      t0 = process.hrtime.bigint();
      await bs.recvSize(first.readUInt32BE(0));
      count = 1;
      if (kind === 'async') {
        while (count < MESSAGES) {
          const header = await bs.recvSize(4);
          const payload = await bs.recvSize(header.readUInt32BE(0));
          if (payload.length !== 100) throw new Error('bad frame');
          count++;
        }
      } else {
        while (count < MESSAGES) {
          const header = bs.tryRecvSize(4) ?? (await bs.recvSize(4));
          const length = header.readUInt32BE(0);
          const payload = bs.tryRecvSize(length) ?? (await bs.recvSize(length));
          if (payload.length !== 100) throw new Error('bad frame');
          count++;
        }
      }
      await bs.close();
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    socket.destroy();
    await once(sender, 'exit');
    if (count !== MESSAGES) throw new Error(`${kind}: got ${count} of ${MESSAGES}`);
    return count / seconds;
  }

  // Interleaved rounds, so that noise from the shared machine hits all three alike.
  const samples = { baseline: [], async: [], sync: [] };
  for (let round = 0; round < 5; round++) {
    for (const kind of Object.keys(samples)) samples[kind].push(await receiveWith(kind));
  }
  const baseline = median(samples.baseline);
  const asyncRate = median(samples.async);
  const syncRate = median(samples.sync);
  process.stdout.write(
    `### Length-prefixed framing over loopback: ${MESSAGES.toLocaleString('en-US')} × (4 + 100 bytes), sender in a child process (median of 5)\n\n`,
  );
  table(
    ['receiver', 'messages/s', 'vs baseline'],
    [
      ["baseline: hand-written `'data'` parser", fmt(baseline), '1×'],
      [
        '`await recvSize(4)` + `await recvSize(n)`',
        fmt(asyncRate),
        `${fmt(asyncRate / baseline)}×`,
      ],
      [
        '`tryRecvSize() ?? await recvSize()` (sync fast path)',
        fmt(syncRate),
        `${fmt(syncRate / baseline)}×`,
      ],
    ],
  );
}

// ---------------------------------------------------------------------------
// 2b. The same framing in memory: a Duplex that hands over prepared 64 KiB
//     chunks, so the parser's own cost shows without the socket's.
{
  const MESSAGES = 1 << 18;
  const CHUNK = 64 * KiB;
  const wire = Buffer.alloc(MESSAGES * 104);
  for (let i = 0; i < MESSAGES; i++) {
    wire.writeUInt32BE(100, i * 104);
    wire.fill(i & 255, i * 104 + 4, i * 104 + 104);
  }
  const chunks = [];
  for (let at = 0; at < wire.length; at += CHUNK) chunks.push(wire.subarray(at, at + CHUNK));
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
  const parsers = {
    baseline: () =>
      new Promise((resolve, reject) => {
        const stream = source();
        let pending = null;
        let count = 0;
        stream.on('data', (chunk) => {
          const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
          let at = 0;
          while (buf.length - at >= 4) {
            const length = buf.readUInt32BE(at);
            if (buf.length - at - 4 < length) break;
            if (buf.subarray(at + 4, at + 4 + length).length !== 100)
              reject(new Error('bad frame'));
            count++;
            at += 4 + length;
          }
          pending = at === buf.length ? null : buf.subarray(at);
        });
        stream.on('end', () =>
          count === MESSAGES ? resolve() : reject(new Error(`got ${count}`)),
        );
      }),
    frame: async () => {
      const stream = source();
      const bs = new BufferedSocket(stream, { timeout: 30_000, maxsize: 256 * KiB });
      for (let count = 0; count < MESSAGES; count++) {
        const payload = bs.tryRecvFrame() ?? (await bs.recvFrame());
        if (payload.length !== 100) throw new Error('bad frame');
      }
      await bs.close();
    },
    size: async () => {
      const stream = source();
      const bs = new BufferedSocket(stream, { timeout: 30_000, maxsize: 256 * KiB });
      for (let count = 0; count < MESSAGES; count++) {
        const header = bs.tryRecvSize(4) ?? (await bs.recvSize(4));
        const length = header.readUInt32BE(0);
        const payload = bs.tryRecvSize(length) ?? (await bs.recvSize(length));
        if (payload.length !== 100) throw new Error('bad frame');
      }
      await bs.close();
    },
  };
  // Interleaved rounds, medians of messages/s.
  const samples = { baseline: [], frame: [], size: [] };
  for (const kind of Object.keys(samples)) await parsers[kind]();
  for (let round = 0; round < 9; round++) {
    for (const kind of Object.keys(samples)) {
      const t0 = process.hrtime.bigint();
      await parsers[kind]();
      samples[kind].push(MESSAGES / (Number(process.hrtime.bigint() - t0) / 1e9));
    }
  }
  const baseline = median(samples.baseline);
  const frame = median(samples.frame);
  const size = median(samples.size);
  process.stdout.write(
    `### Length-prefixed framing in memory: ${MESSAGES.toLocaleString('en-US')} × (4 + 100 bytes) in 64 KiB chunks (median of 9)\n\n`,
  );
  table(
    ['receiver', 'messages/s', 'vs baseline'],
    [
      ["baseline: hand-written `'data'` parser", fmt(baseline), '1×'],
      ['`tryRecvFrame() ?? await recvFrame()`', fmt(frame), `${fmt(frame / baseline)}×`],
      [
        '`tryRecvSize(4) ?? await recvSize(4)`, then the payload likewise',
        fmt(size),
        `${fmt(size / baseline)}×`,
      ],
    ],
  );
}

// ---------------------------------------------------------------------------
// 3. Flood: 100 MiB without a delimiter, each receiver in a fresh process.
{
  const run = (mode) => {
    const out = spawnSync(process.execPath, ['--expose-gc', here('flood.mjs'), mode], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (out.status !== 0) throw new Error(`flood ${mode} failed`);
    return JSON.parse(out.stdout);
  };
  const bufsock = run('bufsock');
  const naive = run('naive');
  const discard = run('discard');
  const mb = (bytes) => fmt(bytes / MiB);
  process.stdout.write(
    '### Flood: 100 MiB with no delimiter, `maxsize` 32 KiB (each in a fresh process)\n\n',
  );
  table(
    [
      'receiver',
      'MiB received',
      'most bytes held',
      'peak RSS growth (MiB)',
      'live Buffer memory after GC (MiB)',
      'seconds',
    ],
    [
      [
        `\`recvUntil("\\n")\` → MessageTooLong ×${bufsock.tooLong.toLocaleString('en-US')}, discard, retry`,
        mb(bufsock.received),
        `${fmt(bufsock.maxHeld / KiB)} KiB`,
        mb(bufsock.peakGrowth),
        mb(bufsock.liveBuffers),
        fmt(bufsock.seconds),
      ],
      [
        "floor: a `'data'` listener that drops every chunk",
        mb(discard.received),
        `${fmt(discard.maxHeld / KiB)} KiB`,
        mb(discard.peakGrowth),
        mb(discard.liveBuffers),
        fmt(discard.seconds),
      ],
      [
        "baseline: keep `'data'` chunks until `\\n`",
        mb(naive.received),
        `${fmt(naive.maxHeld / MiB)} MiB`,
        mb(naive.peakGrowth),
        mb(naive.liveBuffers),
        fmt(naive.seconds),
      ],
    ],
  );
}

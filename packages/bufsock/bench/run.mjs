// Benchmarks for @support/bufsock, against the built dist/ (run `pnpm build`
// first, or `pnpm bench bufsock`). Prints the markdown for BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
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
// 2. Length-prefixed framing, over loopback and in memory, each in a fresh
//    process: code the JIT specialised for one (socket chunks, made in C++,
//    have another hidden class than in-memory ones) would slow the other.
for (const name of ['framing-loopback.mjs', 'framing-memory.mjs']) {
  const out = spawnSync(process.execPath, [here(name)], { stdio: 'inherit' });
  if (out.status !== 0) throw new Error(`${name} failed`);
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

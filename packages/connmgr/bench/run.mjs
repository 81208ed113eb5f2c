// Benchmarks for @support/connmgr, against the built dist/ (run `pnpm build`
// first, or `pnpm bench connmgr`). Prints the markdown for BENCHMARKS.md.
// Everything runs on 127.0.0.1; the servers live in a child process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AddressGroup, ConnectionManager, staggeredRetries } from '@support/connmgr';
import { Context } from '@support/context';
import { fmt, machine, median, table } from '@support-tools/bench';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
// Hard stop, so a wedged run cannot hang CI.
setTimeout(() => {
  process.stderr.write('connmgr bench: took longer than 5 minutes, giving up\n');
  process.exit(1);
}, 300_000).unref();

process.stdout.write(`## @support/connmgr\n\n${machine()}\n\n`);

const child = spawn(process.execPath, [here('server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const ports = JSON.parse(String(line));
const ECHO = `127.0.0.1:${ports.echo}`;
const TAIL = `127.0.0.1:${ports.tail}`;
const context = new Context({ monitoring: false, watchdog: false });

/** Writes `data` and resolves with the next chunk received. */
function roundTrip(socket, data) {
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      cleanup();
      resolve(chunk);
    };
    const onError = (error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('closed'));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(data);
  });
}

function freshConnect() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: ports.echo, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

// ---------------------------------------------------------------------------
// 1. Request/response: pooled vs a fresh connection per request.
{
  const iterations = 2_000;
  const runs = 7;
  const payload = Buffer.alloc(64, 'x');

  const raw = await freshConnect();
  const mgr = new ConnectionManager({ context, pool: { idleTimeout: 10_000 } });
  const quietMgr = new ConnectionManager({
    context,
    pool: { idleTimeout: 10_000 },
    recordTraffic: false,
  });
  const pooledLoop = (m) => async (n) => {
    for (let i = 0; i < n; i++) {
      const sock = await m.getConnection(ECHO);
      await roundTrip(sock.socket, payload);
      m.release(sock);
    }
  };
  const variants = {
    fresh: async (n) => {
      for (let i = 0; i < n; i++) {
        const socket = await freshConnect();
        await roundTrip(socket, payload);
        socket.destroy();
      }
    },
    persistent: async (n) => {
      for (let i = 0; i < n; i++) await roundTrip(raw, payload);
    },
    pooled: pooledLoop(mgr),
    pooledQuiet: pooledLoop(quietMgr),
  };
  // Rounds interleave the variants, so load from other processes on this
  // shared machine falls on all of them alike; each figure is a median.
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) await fn(200);
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      globalThis.gc?.();
      const t0 = process.hrtime.bigint();
      await fn(iterations);
      samples[name].push(Number(process.hrtime.bigint() - t0) / iterations);
    }
  }
  raw.destroy();
  await mgr.close();
  await quietMgr.close();
  const fresh = median(samples.fresh);
  const persistent = median(samples.persistent);
  const pooled = median(samples.pooled);
  const pooledQuiet = median(samples.pooledQuiet);
  // The overhead is a median of per-round differences, which cancels drift between rounds.
  const overhead = median(samples.pooled.map((v, i) => v - samples.persistent[i]));
  const overheadQuiet = median(samples.pooledQuiet.map((v, i) => v - samples.persistent[i]));

  process.stdout.write(
    `### Request/response on loopback (64-byte echo, sequential, ${iterations} per run, median of ${runs})\n\n`,
  );
  table(
    ['per request', 'µs', 'vs fresh connect'],
    [
      ['fresh `net.connect` + round trip + destroy', fmt(fresh / 1e3), '1.00×'],
      [
        '`getConnection` (pooled) + round trip + `release`',
        fmt(pooled / 1e3),
        `${fmt(fresh / pooled)}× faster`,
      ],
      [
        'same, `recordTraffic: false`',
        fmt(pooledQuiet / 1e3),
        `${fmt(fresh / pooledQuiet)}× faster`,
      ],
      [
        'one persistent raw socket (floor)',
        fmt(persistent / 1e3),
        `${fmt(fresh / persistent)}× faster`,
      ],
    ],
  );
  process.stdout.write(
    `Acquire + release + monitoring overhead per call (median of per-round differences to the persistent socket): ${fmt(overhead / 1e3)} µs ` +
      `(${fmt(overheadQuiet / 1e3)} µs without recent-traffic recording).\n\n`,
  );
}

// ---------------------------------------------------------------------------
// 2. Failover: the first tier's address refuses, or is blackholed.

/** A listener whose accept queue is full (see test/helpers.ts): SYNs go unanswered. */
async function blackhole() {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(workerData, 0, 0);
  server.close();
  process.exit(0);
});`,
    { eval: true, workerData: flag },
  );
  const [port] = await once(worker, 'message');
  const fillers = [];
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
    await once(s, 'connect');
  }
  return {
    port,
    async close() {
      for (const s of fillers) s.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await once(worker, 'exit');
    },
  };
}

async function refusedPort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

{
  const hole = await blackhole();
  const refused = await refusedPort();
  const connectTimeout = 100;

  async function timeToConnect(group, options, samples) {
    const mgr = new ConnectionManager({ context, connectTimeout, maxConnectRetry: 0, ...options });
    const ms = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const sock = await mgr.getConnection(group);
      ms.push(performance.now() - t0);
      sock.destroy();
    }
    await mgr.close();
    return median(ms);
  }
  const direct = await timeToConnect(ECHO, {}, 50);
  const refusing = new AddressGroup([[[1, `127.0.0.1:${refused}`]], [[1, ECHO]]]);
  const blackholed = new AddressGroup([[[1, `127.0.0.1:${hole.port}`]], [[1, ECHO]]]);
  const refusedNoMd = await timeToConnect(refusing, { markdown: { enabled: false } }, 50);
  const refusedMd = await timeToConnect(refusing, {}, 50);
  const holeNoMd = await timeToConnect(blackholed, { markdown: { enabled: false } }, 10);
  const holeMd = await timeToConnect(blackholed, {}, 10);
  await hole.close();

  process.stdout.write(
    `### Failover to the second tier (connectTimeout ${connectTimeout} ms, median time to a connected socket)\n\n`,
  );
  table(
    ['first tier', 'markdown off (ms)', 'markdown on (ms)'],
    [
      ['(direct connect to the live address)', fmt(direct), fmt(direct)],
      ['refuses (RST)', fmt(refusedNoMd), fmt(refusedMd)],
      ['blackholed (accept queue full, SYN unanswered)', fmt(holeNoMd), fmt(holeMd)],
    ],
  );
  process.stdout.write(
    'With markdown on, the dead address fails `maxConnectRetry + 1` times and is then skipped for `markdown.duration`, so the median is the direct figure.\n\n',
  );
}

// ---------------------------------------------------------------------------
// 3. Hedging against a heavy-tail server (1% of requests take 500 ms).
{
  const total = 3_000;
  const concurrency = 8;

  async function run(hedged) {
    const mgr = new ConnectionManager({ context, pool: { idleTimeout: 10_000 } });
    const request = async (signal) => {
      const sock = await mgr.getConnection(TAIL, { signal });
      const onAbort = () => sock.destroy();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await roundTrip(sock.socket, 'GET\n');
        mgr.release(sock);
      } catch (error) {
        sock.destroy();
        throw error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    };
    const latencies = [];
    let next = 0;
    let extra = 0;
    const workers = Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        if (hedged) {
          await staggeredRetries((signal, attempt) => {
            if (attempt > 0) extra++;
            return request(signal);
          });
        } else {
          await request(undefined);
        }
        latencies.push(performance.now() - t0);
      }
    });
    const t0 = performance.now();
    await Promise.all(workers);
    const wall = performance.now() - t0;
    await mgr.close();
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
    return {
      p50: q(0.5),
      p99: q(0.99),
      p995: q(0.995),
      p999: q(0.999),
      max: latencies.at(-1),
      slow: latencies.filter((ms) => ms >= 400).length,
      extra,
      wall,
    };
  }
  const plain = await run(false);
  const hedged = await run(true);
  process.stdout.write(
    `### Hedging: ${total} requests, ${concurrency} concurrent, server delays 1% of answers by 500 ms\n\n`,
  );
  table(
    [
      '',
      'p50 (ms)',
      'p99 (ms)',
      'p99.5 (ms)',
      'p99.9 (ms)',
      'max (ms)',
      'answers ≥ 400 ms',
      'extra attempts',
      'requests/s',
    ],
    [plain, hedged].map((r, i) => [
      i === 0 ? 'one attempt' : '`staggeredRetries` (delays 50, 100, 150, 200 ms)',
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.p995),
      fmt(r.p999),
      fmt(r.max),
      String(r.slow),
      String(r.extra),
      fmt(total / (r.wall / 1e3)),
    ]),
  );
  process.stdout.write(
    `Hedging cuts the tail from ${fmt(plain.p999)} to ${fmt(hedged.p999)} ms at p99.9 (${fmt(plain.p995)} to ${fmt(hedged.p995)} ms at p99.5) ` +
      `for ${fmt((100 * hedged.extra) / total)}% extra requests. With exactly 1% slow answers, p99 sits on the edge of the tail: ` +
      'it is the slowest fast answer or a slow one depending on how many of the 1% fell in the run. ' +
      'The loop is closed (8 workers); without hedging most workers spend their time waiting on slow answers, which is why its p50 is lower and its throughput far lower.\n\n',
  );
}

await context.close();
child.stdin.end();
await once(child, 'exit');

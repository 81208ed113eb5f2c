// Lifecycle figures of the arbiter, measured with real processes on 127.0.0.1:
// time from a worker's death (kill -9) to its replacement being ready, and
// failed requests under steady keep-alive load during kill -9, memory-limit
// cycling, SIGHUP rolling reload and SIGUSR2 hot upgrade. Each scenario runs
// ROUNDS times (default 3); the medians are printed.
//
//   node packages/prefork/bench/lifecycle.mjs [rounds] [scenario name part]
//
// The service is test/fixtures/app.mjs (started with tsx, as in the tests).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.argv[2] ?? 3);
const FIXTURE = fileURLToPath(new URL('../test/fixtures/app.mjs', import.meta.url));
const PKG = fileURLToPath(new URL('..', import.meta.url));
const CLIENTS = 6;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function get(port, path, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: agent ?? false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function start(opts, version = 'v1') {
  const dir = mkdtempSync(join(tmpdir(), 'prefork-bench-'));
  const versionFile = join(dir, 'version');
  writeFileSync(versionFile, version);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@support/source', FIXTURE],
    {
      cwd: PKG,
      env: { ...process.env, PREFORK_TEST_OPTS: JSON.stringify(opts), VERSION_FILE: versionFile },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    },
  );
  const lines = [];
  let partial = '';
  child.stdout.on('data', (c) => {
    partial += c;
    const parts = partial.split('\n');
    partial = parts.pop();
    lines.push(...parts);
  });
  const waitFor = async (re, ms = 60_000) => {
    const end = Date.now() + ms;
    for (let from = 0; Date.now() < end; await sleep(20)) {
      for (; from < lines.length; from++) {
        const m = lines[from].match(re);
        if (m) return m;
      }
    }
    throw new Error(`timeout waiting for ${re}`);
  };
  const ready = await waitFor(/^READY (\d+) (\d+)/);
  const admin = Number((await waitFor(/^ADMIN (\d+)/))[1]);
  return {
    pid: Number(ready[1]),
    port: Number(ready[2]),
    admin,
    waitFor,
    setVersion: (v) => writeFileSync(versionFile, v),
    status: async () => JSON.parse((await get(admin, '/status')).body),
    async stop() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function load(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const r = { ok: 0, failed: 0 };
  let running = true;
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (running) {
      try {
        const x = await get(port, '/hello', agent);
        if (x.status === 200) r.ok++;
        else r.failed++;
      } catch {
        r.failed++;
      }
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
    agent.destroy();
    return r;
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function rawRequest(port, path) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c) => {
      data += c;
    });
    socket.on('close', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });
}

function pct(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? null;
}

/**
 * Starts the fixture with `options`, keeps the keep-alive load on it while
 * `act(app)` runs, and returns what `act` measured with the load's counts.
 */
async function underLoad(options, act) {
  const app = await start(options);
  try {
    const stop = load(app.port);
    const measured = await act(app);
    const r = await stop();
    return { ...measured, failed: r.failed, ok: r.ok };
  } finally {
    await app.stop();
  }
}

const scenarios = {
  // New connections at 5x the slots: 2 workers x maxClients 4, 50 ms requests,
  // 40 closed-loop clients with a new connection per request, against a
  // baseline of 8 clients (exactly the slots) measured in the same run.
  async 'connection overload'() {
    const app = await start({ workers: 2, maxClients: 4, acceptQueueMaxlen: 2 });
    const run = async (clients) => {
      const ok = [];
      const shed = [];
      let errors = 0;
      const until = Date.now() + 3000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (Date.now() < until) {
            const t0 = Date.now();
            try {
              const r = await rawRequest(app.port, '/slow?ms=50');
              (r.startsWith('HTTP/1.1 200') ? ok : shed).push(Date.now() - t0);
            } catch {
              errors++;
            }
          }
        }),
      );
      return { ok, shed, errors };
    };
    try {
      // Baseline in the same run: 8 clients = exactly the slots, nothing shed.
      const base = await run(8);
      const over = await run(40);
      return {
        baselinePerSec: Math.round(base.ok.length / 3),
        servedPerSec: Math.round(over.ok.length / 3),
        ratio: Math.round((100 * over.ok.length) / Math.max(1, base.ok.length)) / 100,
        baselineP99: pct(base.ok, 0.99),
        servedP99: pct(over.ok, 0.99),
        shedP50: pct(over.shed, 0.5),
        shed: over.shed.length,
        failed: over.errors + base.errors,
      };
    } finally {
      await app.stop();
    }
  },
  'kill -9': () =>
    underLoad({ workers: 2 }, async (app) => {
      await sleep(500);
      const s = await app.status();
      const victim = s.workers[0];
      const t0 = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      let readyMs;
      while (readyMs === undefined && Date.now() - t0 < 30_000) {
        const now = await app.status();
        if (
          now.workers.some((w) => w.id === victim.id && w.pid !== victim.pid && w.state === 'ready')
        )
          readyMs = Date.now() - t0;
        else await sleep(10);
      }
      await sleep(300);
      return { readyMs };
    }),
  'memory-limit cycling': () =>
    underLoad({ workers: 2, memoryLimit: 160 << 20, checkInterval: 100 }, async (app) => {
      for (let i = 0; i < 60; i++) await get(app.port, '/leak').catch(() => {});
      await app.waitFor(/drained \d$/);
      return {};
    }),
  'SIGHUP reload': () =>
    underLoad({ workers: 2 }, async (app) => {
      await sleep(300);
      app.setVersion('v2');
      const t0 = Date.now();
      process.kill(app.pid, 'SIGHUP');
      for (;;) {
        const s = await app.status();
        if (
          s.workers.length === 2 &&
          s.workers.every((w) => w.state === 'ready' && w.uptimeMs < Date.now() - t0)
        )
          break;
        await sleep(20);
      }
      const doneMs = Date.now() - t0;
      await sleep(300);
      return { doneMs };
    }),
  'SIGUSR2 hot upgrade': () =>
    underLoad({ workers: 2 }, async (app) => {
      await sleep(300);
      app.setVersion('v2');
      const t0 = Date.now();
      process.kill(app.pid, 'SIGUSR2');
      await app.waitFor(new RegExp(`^STOPPED ${app.pid}$`));
      const doneMs = Date.now() - t0;
      await sleep(300);
      return { doneMs };
    }),
};

console.log(
  `prefork lifecycle, ${ROUNDS} rounds, ${CLIENTS} keep-alive clients, 2 workers, node ${process.version}`,
);
const only = process.argv[3];
for (const [name, fn] of Object.entries(scenarios)) {
  if (only !== undefined && !name.includes(only)) continue;
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await fn());
  const keys = Object.keys(rounds[0]);
  const med = Object.fromEntries(keys.map((k) => [k, median(rounds.map((r) => r[k]))]));
  const worst = Math.max(...rounds.map((r) => r.failed));
  console.log(`${name.padEnd(22)} median ${JSON.stringify(med)}  worst failed ${worst}`);
}

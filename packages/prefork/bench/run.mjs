// Benchmarks for @support/prefork, against the built dist/ (run `pnpm build`
// first, or `pnpm bench prefork`). Prints the markdown for BENCHMARKS.md.
//
// Every server runs in its own process (bench/server.mjs) and the load
// generator (bench/loadgen.mjs, raw sockets, minimal parser) runs here, on
// 127.0.0.1. Scenarios run side by side in one run, interleaved round by
// round so a change in the machine's load hits them alike; figures are
// medians over rounds. About 5 minutes; a hard stop after 8.
//
// BENCH_QUICK=1 runs one round of each figure with shorter loads.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fmt, machine, median, table } from '@support-tools/bench';
import { closedLoop, openLoop } from './loadgen.mjs';

const quick = process.env.BENCH_QUICK === '1';
// BENCH_ONLY=1,3 runs only those sections.
const only = process.env.BENCH_ONLY?.split(',');
const run = (n) => !only || only.includes(String(n));
const ROUNDS = quick ? 1 : 3;
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
setTimeout(() => {
  process.stderr.write('prefork bench: took longer than 8 minutes, giving up\n');
  process.exit(1);
}, 480_000).unref();

const SCENARIOS = {
  rr: { label: 'node:cluster round-robin', kind: 'cluster-rr' },
  none: { label: 'node:cluster SCHED_NONE (kernel)', kind: 'cluster-none' },
  arbiter: { label: 'Arbiter + HttpAdmission', kind: 'arbiter', admission: true },
  rrAdmission: {
    label: 'node:cluster round-robin + HttpAdmission',
    kind: 'cluster-rr',
    admission: true,
  },
  single: {
    label: 'one process: ConnectionGate + HttpAdmission',
    kind: 'single',
    admission: true,
    workers: 1,
  },
};

/**
 * CPU milliseconds (user + system) used so far by process `root` and all its
 * descendants, from /proc (Linux): the server's CPU, whatever share of the
 * shared machine it got.
 */
function treeCpu(root) {
  let total = 0;
  for (const { cpu } of tree(root)) total += cpu;
  return total;
}

/** Process `root` and its descendants, from /proc: [{ pid, cpu (ms) }]. */
function tree(root) {
  const tick = 10; // ms per clock tick (USER_HZ = 100)
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * tick });
    } catch {
      // exited meanwhile
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop();
    if (stats.has(pid)) found.push({ pid, cpu: stats.get(pid).cpu });
    for (const [child, st] of stats) if (st.ppid === pid) queue.push(child);
  }
  return found;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts a scenario's server; resolves with { port, cpu(), stop() }. */
async function start(s, extra = {}) {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv.filter((a) => a !== '--expose-gc'),
      here('server.mjs'),
      JSON.stringify({ workers: 2, ...s, ...extra }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = [];
  const waiters = [];
  let partial = '';
  child.stdout.on('data', (d) => {
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop();
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.splice(0)) w();
    }
  });
  // Resolves with the first line matching `re` (taking it), polling until `ms`.
  const next = (re, ms = 30_000) =>
    new Promise((resolve, reject) => {
      const t0 = Date.now();
      let settled = false;
      const check = () => {
        if (settled) return;
        const i = lines.findIndex((l) => re.test(l));
        if (i >= 0) {
          settled = true;
          return resolve(lines.splice(i, 1)[0].match(re));
        }
        if (Date.now() - t0 > ms) {
          settled = true;
          return reject(new Error(`${s.label}: no ${re} within ${ms} ms`));
        }
        waiters.push(check);
        setTimeout(check, 100).unref();
      };
      check();
    });
  const port = Number((await next(/^READY (\d+)/))[1]);
  return {
    port,
    treeCpu: () => treeCpu(child.pid),
    async cpu() {
      child.stdin.write('cpu\n');
      return Number((await next(/^CPU (\d+)/))[1]);
    },
    async stop() {
      // Workers too: a node:cluster worker with a backlog of queued requests
      // outlives its primary, burning CPU into the next scenario.
      const family = tree(child.pid).map((p) => p.pid);
      child.stdin.end();
      const exited = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      const deadline = Date.now() + 2000;
      while (family.some(alive) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const left = family.filter(alive);
      for (const pid of left) process.kill(pid, 'SIGKILL');
      if (left.length > 0 && process.env.BENCH_VERBOSE)
        process.stderr.write(`${s.label}: killed ${left.length} process(es) left after stop\n`);
    },
  };
}

async function withServer(s, fn, extra) {
  if (process.env.BENCH_VERBOSE)
    process.stderr.write(
      `${new Date().toISOString()} ${s.label} ${JSON.stringify(extra ?? {})} admission=${s.admission}\n`,
    );
  const server = await start(s, extra);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

const pct = (x) => `${fmt(x * 100)}%`;
const ms = (x) => (Number.isFinite(x) ? fmt(x) : '–');

process.stdout.write(
  `## @support/prefork\n\n${machine()}; load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )} (the machine is shared: figures are medians of ${ROUNDS} interleaved round(s), ratios against node:cluster measured in the same run).\n\n`,
);

// ---------------------------------------------------------------------------
// 1. Hello-world throughput, keep-alive and not (closed loop, 32 clients).
if (run(1)) {
  const order = ['rr', 'none', 'arbiter'];
  const rates = { true: {}, false: {} };
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of order) {
      await withServer(SCENARIOS[key], async ({ port }) => {
        for (const keepAlive of [true, false]) {
          const r = await closedLoop({
            port,
            clients: 32,
            duration: quick ? 1000 : 2000,
            keepAlive,
          });
          // Only 200s count as throughput.
          (rates[keepAlive][key] ??= []).push(((r.byStatus['200'] ?? 0) / r.requests) * r.rate);
        }
      });
    }
  }
  process.stdout.write('### Hello-world throughput (2 workers, closed loop, 32 clients)\n\n');
  const rows = order.map((key) => {
    const ka = median(rates.true[key]);
    const close = median(rates.false[key]);
    return [
      SCENARIOS[key].label,
      fmt(ka),
      pct(ka / median(rates.true.rr)),
      fmt(close),
      pct(close / median(rates.false.rr)),
    ];
  });
  table(
    [
      'server',
      'keep-alive req/s',
      'vs round-robin',
      'new connection per request req/s',
      'vs round-robin',
    ],
    rows,
  );
}

// ---------------------------------------------------------------------------
// 2. Skewed work: 1% of requests take 200 ms of CPU, the rest 0.5 ms; a new
// connection per request (so dispatch decides per request), 16 clients.
if (run(2)) {
  const order = ['rr', 'none', 'arbiter'];
  const results = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of order) {
      await withServer(SCENARIOS[key], async ({ port }) => {
        const r = await closedLoop({
          port,
          clients: 16,
          duration: quick ? 2000 : 3000,
          keepAlive: false,
          path: '/w0.5',
          slowEvery: 100,
          slowPath: '/w200',
        });
        (results[key] ??= []).push(r);
      });
    }
  }
  process.stdout.write(
    '### Skewed work (1% of requests 200 ms of CPU, others 0.5 ms; 2 workers, 16 closed-loop clients, new connection per request)\n\n',
  );
  const p99 = (key) => median(results[key].map((r) => r.latency.p99));
  table(
    ['server', 'fast requests p50 ms', 'fast p99 ms', 'fast p99 vs round-robin', 'req/s', '503s'],
    order.map((key) => [
      SCENARIOS[key].label,
      ms(median(results[key].map((r) => r.latency.p50))),
      ms(p99(key)),
      pct(p99(key) / p99('rr')),
      fmt(median(results[key].map((r) => r.rate))),
      String(results[key].reduce((a, r) => a + (r.byStatus['503'] ?? 0), 0)),
    ]),
  );
}

// ---------------------------------------------------------------------------
// 3. Overload: capacity without overload (the same server without
// admission, saturated by a pipelined closed loop); 20 closed-loop clients
// (merely busy: no 503 allowed); then 3× capacity open loop, kept-alive,
// pipelined on 16 connections, 2 ms of CPU per request, latency from each
// request's scheduled time, answers awaited up to 5 s.
if (run(3)) {
  const order = ['rr', 'none', 'arbiter', 'rrAdmission', 'single'];
  const capacities = {};
  const results = {};
  // Capacity of the same server without admission, saturated but not
  // overloaded: 20 kept-alive clients with 4 requests pipelined each, so a
  // paused load generator cannot leave the workers idle.
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of order) {
      await withServer({ ...SCENARIOS[key], admission: false }, async ({ port, treeCpu }) => {
        const c0 = treeCpu();
        const c = await closedLoop({
          port,
          clients: 20,
          depth: 4,
          duration: quick ? 2000 : 2500,
          path: '/w2',
        });
        (capacities[key] ??= []).push({
          rate: c.rate,
          cpuPerRequest: (treeCpu() - c0) / c.requests,
        });
      });
    }
  }
  const capacity = (key) => median(capacities[key].map((c) => c.rate));
  const cpuPerRequest = (key) => median(capacities[key].map((c) => c.cpuPerRequest));
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of order) {
      await withServer(SCENARIOS[key], async ({ port, treeCpu }) => {
        // Merely busy: 20 closed-loop clients must get no 503.
        const busy = await closedLoop({
          port,
          clients: 20,
          duration: quick ? 1500 : 2500,
          path: '/w2',
        });
        const c0 = treeCpu();
        const open = await openLoop({
          port,
          rate: Math.round(capacity(key) * 3),
          duration: quick ? 3000 : 4000,
          connections: 16,
          path: '/w2',
          timeout: 5000,
        });
        // Server CPU per served request under overload, against the same
        // without overload: what the 503s and the queueing cost.
        const cpuPerServed = (treeCpu() - c0) / Math.max(1, open.served.n);
        (results[key] ??= []).push({ busy, open, cpuPerServed });
      });
    }
  }
  const med = (key, f) => median(results[key].map(f));
  process.stdout.write(
    '### 3× overload (2 workers, 2 ms of CPU per request; open loop at 3× capacity, kept-alive, pipelined on 16 connections; latency from the scheduled time)\n\n',
  );
  table(
    [
      'server',
      'capacity req/s (no admission, saturated)',
      '503s to 20 closed-loop clients',
      'served req/s under 3×',
      'served / capacity',
      'served p50 ms',
      'served p99 ms',
      'timeouts (5 s)',
      '503s',
      '503 p50 ms',
      'server CPU per served request: overload / capacity run',
    ],
    order.map((key) => [
      SCENARIOS[key].label,
      fmt(capacity(key)),
      `${results[key].reduce((a, r) => a + (r.busy.byStatus['503'] ?? 0), 0)} of ${results[key].reduce((a, r) => a + r.busy.requests, 0)}`,
      fmt(med(key, (r) => r.open.servedRate)),
      pct(med(key, (r) => r.open.servedRate) / capacity(key)),
      ms(med(key, (r) => r.open.served.p50)),
      ms(med(key, (r) => r.open.served.p99)),
      `${fmt(med(key, (r) => r.open.timeouts))} of ${fmt(med(key, (r) => r.open.sent))}`,
      fmt(med(key, (r) => r.open.shed.n)),
      ms(med(key, (r) => r.open.shed.p50)),
      pct(med(key, (r) => r.cpuPerServed) / cpuPerRequest(key)),
    ]),
  );
}

// ---------------------------------------------------------------------------
// 4. What a 503 costs the server, against a hello-world 200 and the 2 ms
// request of the overload figure (one process, CPU time per response).
if (run(4)) {
  const costs = { shed: [], hello: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // maxInFlight 1 and one request held: every other request is shed.
    await withServer(
      SCENARIOS.single,
      async ({ port, cpu }) => {
        const hold = net.connect({ port, host: '127.0.0.1' });
        hold.on('error', () => {});
        hold.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
        await new Promise((r) => setTimeout(r, 100));
        const c0 = await cpu();
        const r = await closedLoop({ port, clients: 8, duration: quick ? 1000 : 2000 });
        const c1 = await cpu();
        if (r.byStatus['503'] !== r.requests)
          throw new Error('the shed run got answers other than 503');
        costs.shed.push((c1 - c0) / r.requests);
        hold.destroy();
      },
      { maxInFlight: 1 },
    );
    await withServer({ ...SCENARIOS.single, admission: false }, async ({ port, cpu }) => {
      const c0 = await cpu();
      const r = await closedLoop({ port, clients: 8, duration: quick ? 1000 : 2000 });
      const c1 = await cpu();
      costs.hello.push((c1 - c0) / r.requests);
    });
  }
  const shed = median(costs.shed);
  const hello = median(costs.hello);
  process.stdout.write(
    '### Cost of a 503 (one process, server CPU time per response, 8 closed-loop keep-alive clients)\n\n',
  );
  table(
    ['response', 'server CPU µs', 'vs a 2 ms request'],
    [
      ['503 from HttpAdmission', fmt(shed), pct(shed / 2000)],
      ['hello-world 200 (no admission)', fmt(hello), pct(hello / 2000)],
    ],
  );
}

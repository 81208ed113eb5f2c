// Group's figures, side by side in one run (medians of several rounds,
// rounds interleaved so that the shared machine's noise hits every server):
//  1. hello world through Group (prefork, 2 workers) vs node:cluster +
//     http.createServer vs Fastify in the same cluster, keep-alive on and off;
//  2. the cost of Group in one process (gate, admission, instrumentation)
//     against a bare http.createServer: requests/s, and the server's own CPU
//     time per request, which the load generator's share of the machine
//     does not blur.
// The load generator is prefork's lean raw-socket client, in its own process.
// Run after `pnpm build`, or from source:
//   node --import tsx --conditions=@support/source bench/run.mjs
// BENCH_ROUNDS (default 3) and BENCH_SECONDS (default 3) bound the run;
// BENCH_ONLY=prefork, overload or single runs one of the three comparisons.
//  3. 3× overload (open loop, 2 ms CPU per request): Group vs node:cluster.
import { machine, median } from '@support-tools/bench';
import { load as loadgen, startServer } from './harness.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ONLY = process.env.BENCH_ONLY;
const CLIENTS = 32;
const load = (port, keepAlive) =>
  loadgen({ mode: 'closed', port, clients: CLIENTS, duration: SECONDS * 1000, keepAlive });

const nonOk = (x) =>
  x.errors +
  Object.entries(x.byStatus)
    .filter(([status]) => status !== '200')
    .reduce((n, [, count]) => n + count, 0);

async function compare(title, kinds, modes, cpuColumn = false) {
  const servers = [];
  try {
    for (const kind of kinds) servers.push(await startServer(kind));
    const results = {};
    for (const s of servers) for (const ka of modes) results[`${s.kind}/${ka}`] = [];
    for (const s of servers) for (const ka of modes) await load(s.port, ka); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const ka of modes) {
        for (const s of servers) {
          const cpu0 = await s.cpu();
          const result = await load(s.port, ka);
          result.cpuPerRequest = ((await s.cpu()) - cpu0) / Math.max(1, result.requests);
          results[`${s.kind}/${ka}`].push(result);
        }
      }
    }
    const rows = [];
    for (const ka of modes) {
      const first = results[`${kinds[0]}/${ka}`];
      const base = median(first.map((x) => x.rate));
      const baseCpu = median(first.map((x) => x.cpuPerRequest));
      for (const kind of kinds) {
        const runs = results[`${kind}/${ka}`];
        const rate = median(runs.map((x) => x.rate));
        const p99 = median(runs.map((x) => x.latency.p99));
        const errors = runs.reduce((n, x) => n + nonOk(x), 0);
        const cpu = median(runs.map((x) => x.cpuPerRequest));
        const cells = [
          kind,
          ka ? 'on' : 'off',
          Math.round(rate),
          (rate / base).toFixed(2),
          p99.toFixed(1),
          errors,
        ];
        if (cpuColumn)
          cells.push(
            `${cpu.toFixed(1)} (${cpu >= baseCpu ? '+' : ''}${(cpu - baseCpu).toFixed(1)})`,
          );
        rows.push(`| ${cells.join(' | ')} |`);
      }
    }
    const header = [
      'server',
      'keep-alive',
      'req/s',
      `ratio to ${kinds[0]}`,
      'p99 ms',
      'errors / non-200',
    ];
    if (cpuColumn) header.push(`server CPU µs per request (vs ${kinds[0]})`);
    const align = ['---', '---', '---:', '---:', '---:', '---:', '---:'].slice(0, header.length);
    process.stdout.write(
      `### ${title}\n\n| ${header.join(' | ')} |\n|${align.join('|')}|\n${rows.join('\n')}\n\n`,
    );
  } finally {
    for (const s of servers) await s.stop();
  }
}

process.stdout.write(
  `## @support/core\n\nMachine: ${machine()} (shared with other work while measured)\n` +
    `Closed loop, ${CLIENTS} clients, ${SECONDS} s per round, median of ${ROUNDS} rounds; 2 workers where preforked.\n\n`,
);
if (ONLY === undefined || ONLY === 'prefork') {
  await compare(
    "Hello world: Group (prefork; -lean: instrumentation 'off', no per-request admission) vs node:cluster vs Fastify in node:cluster",
    ['cluster', 'group', 'group-lean', 'fastify'],
    [true, false],
  );
}
/**
 * 3× overload, open loop, keep-alive, 2 ms of CPU per request, as in
 * prefork's bench: capacity is measured first (closed loop, 20 clients),
 * then requests arrive at 3× that rate whether or not answers come back
 * (pipelined), latency counted from each request's scheduled time.
 */
const ms = (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(0) : '–');

async function overload(kinds) {
  const rows = [];
  for (const kind of kinds) {
    const s = await startServer(kind);
    try {
      await loadgen({
        mode: 'closed',
        port: s.port,
        clients: 20,
        duration: 1000,
        keepAlive: true,
        path: '/w2',
      });
      const cap = await loadgen({
        mode: 'closed',
        port: s.port,
        clients: 20,
        duration: SECONDS * 1000,
        keepAlive: true,
        path: '/w2',
      });
      const rate = Math.round(cap.rate * 3);
      const o = await loadgen({
        mode: 'open',
        port: s.port,
        rate,
        duration: SECONDS * 1000,
        connections: 16,
        path: '/w2',
        timeout: 5000,
      });
      rows.push(
        `| ${kind} | ${Math.round(cap.rate)} | ${rate} | ${Math.round(o.servedRate)} (${((o.servedRate / cap.rate) * 100).toFixed(0)} %) | ${ms(o.served.p99)} | ${o.shed.n} | ${ms(o.shed.p50)} | ${o.timeouts} | ${o.lost + o.other} |`,
      );
    } finally {
      await s.stop();
    }
  }
  process.stdout.write(
    `### 3× overload, open loop, keep-alive, 2 ms CPU per request (${SECONDS} s)\n\n| server | capacity req/s | offered req/s | served req/s (of capacity) | served p99 ms | 503s | 503 median ms | timeouts (5 s) | lost / other |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n\n`,
  );
}

if (ONLY === undefined || ONLY === 'overload') await overload(['cluster', 'group']);

if (ONLY === undefined || ONLY === 'single') {
  await compare(
    'Cost of Group in one process vs bare http.createServer (group-single: gate, admission, full instrumentation; -basic / -off: instrumentation basic / off; -noadmission: full, without the per-request admission)',
    ['bare', 'group-single', 'group-single-basic', 'group-single-off', 'group-single-noadmission'],
    [true],
    true,
  );
}

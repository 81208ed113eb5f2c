// Group's figures, side by side in one run (medians of several rounds,
// rounds interleaved so that the shared machine's noise hits every server):
//  1. hello world through Group (prefork, 2 workers) vs node:cluster +
//     http.createServer vs Fastify in the same cluster, keep-alive on and off;
//  2. the cost of Group in one process (gate, admission, instrumentation)
//     against a bare http.createServer.
// The load generator is prefork's lean raw-socket client, in its own process.
// Run after `pnpm build`, or from source:
//   node --import tsx --conditions=source bench/run.mjs
// BENCH_ROUNDS (default 3) and BENCH_SECONDS (default 3) bound the run.
import { machine, median } from '@support-tools/bench';
import { load as loadgen, startServer } from './harness.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CLIENTS = 32;
const load = (port, keepAlive) =>
  loadgen({ mode: 'closed', port, clients: CLIENTS, duration: SECONDS * 1000, keepAlive });

async function compare(title, kinds, modes) {
  const servers = [];
  try {
    for (const kind of kinds) servers.push(await startServer(kind));
    const results = {};
    for (const s of servers) for (const ka of modes) results[`${s.kind}/${ka}`] = [];
    for (const s of servers) for (const ka of modes) await load(s.port, ka); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const ka of modes)
        for (const s of servers) results[`${s.kind}/${ka}`].push(await load(s.port, ka));
    }
    const rows = [];
    for (const ka of modes) {
      const base = median(results[`${kinds[0]}/${ka}`].map((x) => x.rate));
      for (const kind of kinds) {
        const runs = results[`${kind}/${ka}`];
        const rate = median(runs.map((x) => x.rate));
        const p99 = median(runs.map((x) => x.latency.p99));
        const errors = runs.reduce(
          (n, x) =>
            n +
            x.errors +
            Object.entries(x.byStatus)
              .filter(([s]) => s !== '200')
              .reduce((m, [, c]) => m + c, 0),
          0,
        );
        rows.push(
          `| ${kind} | ${ka ? 'on' : 'off'} | ${Math.round(rate)} | ${(rate / base).toFixed(2)} | ${p99.toFixed(1)} | ${errors} |`,
        );
      }
    }
    process.stdout.write(
      `### ${title}\n\n| server | keep-alive | req/s | ratio to ${kinds[0]} | p99 ms | errors / non-200 |\n|---|---|---:|---:|---:|---:|\n${rows.join('\n')}\n\n`,
    );
  } finally {
    for (const s of servers) await s.stop();
  }
}

process.stdout.write(
  `## @support/core\n\nMachine: ${machine()} (shared with other work while measured)\n` +
    `Closed loop, ${CLIENTS} clients, ${SECONDS} s per round, median of ${ROUNDS} rounds; 2 workers where preforked.\n\n`,
);
await compare(
  'Hello world: Group (prefork) vs node:cluster vs Fastify in node:cluster',
  ['cluster', 'group', 'fastify'],
  [true, false],
);
await compare(
  'Cost of Group in one process vs bare http.createServer (group-single: gate, admission, instrumentation; -noadmission: without the per-request admission)',
  ['bare', 'group-single', 'group-single-noadmission'],
  [true],
);

// Requests per second through app.handler, next to a bare http handler,
// find-my-way alone and Fastify 5 on the same routes, on loopback with autocannon. Every server runs in its
// own child process; variants take turns in short runs, round after round,
// so that the noise of a shared machine hits them alike. Ratios against
// find-my-way alone are what to read.
//
//   node bench/run.mjs            (BENCH_RUNS=7 BENCH_SECONDS=2 by default; about 100 s)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fmt, machine, median, table } from '@support-tools/bench';
import autocannon from 'autocannon';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = 10;
const variants = ['bare', 'fmw', 'web', 'fastify'];
const paths = {
  'hello world (`/`)': '/',
  '2 params (`/users/:id/posts/:post`)': '/users/42/posts/7',
};

async function startServer(variant) {
  const child = fork(new URL('./server.mjs', import.meta.url), [variant], { stdio: 'inherit' });
  const [message] = await once(child, 'message');
  return { child, port: message.port };
}

async function stopServer({ child }) {
  const exited = once(child, 'exit');
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function cpuMicros({ child }) {
  const reply = once(child, 'message');
  child.send('cpu');
  const [message] = await reply;
  return message.cpuMicros;
}

/** Requests/s and the server's CPU microseconds per request over one run. */
async function measure(server, path, seconds) {
  const before = await cpuMicros(server);
  const result = await run(server.port, path, seconds);
  const after = await cpuMicros(server);
  return { rps: result.requests.average, cpu: (after - before) / result.requests.total };
}

async function load(port, path, seconds) {
  return (await run(port, path, seconds)).requests.average;
}

async function run(port, path, seconds) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${path}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return result;
}

const samples = {};
const ratios = {};
for (const name of Object.keys(paths)) {
  samples[name] = Object.fromEntries(variants.map((v) => [v, []]));
  ratios[name] = { fmw: [], bare: [], fastify: [], cpuFmw: [], cpu: {} };
  for (const v of variants) ratios[name].cpu[v] = [];
}

// All the servers stay up (an idle one costs nothing); the variants then
// take turns in short runs, so each round compares them under the same load.
const servers = {};
for (const variant of variants) servers[variant] = await startServer(variant);
try {
  for (const variant of variants) {
    for (const path of Object.values(paths)) await load(servers[variant].port, path, 1); // warm-up
  }
  for (let round = 0; round < RUNS; round++) {
    // Rotate the order so no variant always runs first (or last) in a round.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const [name, path] of Object.entries(paths)) {
      const got = {};
      for (const variant of order) got[variant] = await measure(servers[variant], path, SECONDS);
      for (const variant of variants) {
        samples[name][variant].push(got[variant].rps);
        ratios[name].cpu[variant].push(got[variant].cpu);
      }
      ratios[name].fmw.push(got.web.rps / got.fmw.rps);
      ratios[name].bare.push(got.web.rps / got.bare.rps);
      ratios[name].fastify.push(got.web.rps / got.fastify.rps);
      ratios[name].cpuFmw.push(got.fmw.cpu / got.web.cpu);
    }
  }
} finally {
  for (const variant of variants) await stopServer(servers[variant]);
}

process.stdout.write(
  `## @support/web\n\n${machine()}; autocannon, ${CONNECTIONS} connections, ` +
    `${RUNS} rounds of ${SECONDS} s per variant and route, servers in child processes. ` +
    'Requests/s are medians over the rounds; ratios are medians of the per-round ratios, with their range in brackets.\n\n',
);
// The median ratio with the range over the rounds, so the noise is on view.
const spread = (values) => {
  const pct = values.map((v) => 100 * v);
  return `${fmt(median(pct))} % (${fmt(Math.min(...pct), 2)}–${fmt(Math.max(...pct), 2)})`;
};
const rows = [];
for (const name of Object.keys(paths)) {
  const [bare, fmw, web, fastify] = variants.map((v) => median(samples[name][v]));
  rows.push([
    name,
    fmt(bare),
    fmt(fmw),
    fmt(web),
    fmt(fastify),
    spread(ratios[name].fmw),
    spread(ratios[name].bare),
    spread(ratios[name].fastify),
  ]);
}
table(
  [
    'route',
    'bare http req/s',
    'find-my-way req/s',
    '@support/web req/s',
    'Fastify 5 req/s',
    'web / find-my-way',
    'web / bare',
    'web / Fastify',
  ],
  rows,
);

process.stdout.write(
  'Server CPU time per request (user + system, µs), which other work on the machine disturbs ' +
    'far less than requests/s; capacity = find-my-way CPU / web CPU per request.\n\n',
);
table(
  [
    'route',
    'bare http µs/req',
    'find-my-way µs/req',
    '@support/web µs/req',
    'Fastify 5 µs/req',
    'web capacity vs find-my-way',
  ],
  Object.keys(paths).map((name) => [
    name,
    ...variants.map((v) => fmt(median(ratios[name].cpu[v]))),
    spread(ratios[name].cpuFmw),
  ]),
);

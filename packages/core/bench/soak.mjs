// Soak: a preforked Group (2 workers, meta app on) under closed-loop
// keep-alive load for SOAK_SECONDS (default 180), in 10-second chunks. After
// each chunk it reads every worker's RSS from the arbiter (meta /workers) and
// the merged heap from the workers' monitor (meta /stats). Memory must not
// trend upward after the warm-up (the first 30 s): it compares the mean of
// the last third with the first third after warm-up and fits a slope, and
// counts errors and non-200 answers (there must be none).
//   node --import tsx --conditions=@support/source bench/soak.mjs      (from source)
import { request } from 'node:http';
import { freePort, load, startServer } from './harness.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const CHUNK = 10;
const WARMUP = 30;
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 64);

function getJSON(port, path) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, headers: { accept: 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(body));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

const meta = await freePort();
const server = await startServer('group', { meta });
const samples = [];
let requests = 0;
let errors = 0;
let non200 = 0;
try {
  for (let t = CHUNK; t <= SECONDS; t += CHUNK) {
    const r = await load({
      mode: 'closed',
      port: server.port,
      clients: CLIENTS,
      duration: CHUNK * 1000,
      keepAlive: true,
    });
    requests += r.requests;
    errors += r.errors;
    non200 += Object.entries(r.byStatus).reduce(
      (n, [status, count]) => (status === '200' ? n : n + count),
      0,
    );
    const workers = (await getJSON(meta, '/workers?format=json')).workers;
    const rss = workers.reduce((n, w) => n + (w.rss ?? 0), 0);
    samples.push({
      t,
      rss,
      rate: r.rate,
      p99: r.latency.p99,
      workers: workers.map((w) => w.pid).join(','),
    });
    process.stdout.write(
      `t=${String(t).padStart(3)} s  ${Math.round(r.rate)} req/s  p99 ${r.latency.p99.toFixed(1)} ms  workers rss ${mb(rss)} MiB  errors ${r.errors}\n`,
    );
  }
} finally {
  await server.stop();
}

const after = samples.filter((s) => s.t > WARMUP);
const third = Math.max(1, Math.floor(after.length / 3));
const first = mean(after.slice(0, third).map((s) => s.rss));
const last = mean(after.slice(-third).map((s) => s.rss));
const perMinute =
  slope(
    after.map((s) => s.t),
    after.map((s) => s.rss),
  ) * 60;
const restarts = new Set(samples.map((s) => s.workers)).size - 1;
process.stdout.write(
  `\nsoak: ${SECONDS} s, ${CLIENTS} keep-alive clients, ${requests} requests, ${errors} errors, ${non200} non-200, worker sets seen ${restarts + 1}\n` +
    `workers' RSS after warm-up: first third ${mb(first)} MiB, last third ${mb(last)} MiB (${(((last - first) / first) * 100).toFixed(1)}%), slope ${mb(perMinute)} MiB/min\n`,
);
const flat = last <= first * 1.1;
process.stdout.write(
  `${flat && errors === 0 && non200 === 0 ? 'PASS' : 'FAIL'}: flat memory and no errors\n`,
);
process.exitCode = flat && errors === 0 && non200 === 0 ? 0 : 1;

// Benchmarks for @support/meta, against the built dist/ (`pnpm build` first,
// or `pnpm bench meta`). Prints the markdown for BENCHMARKS.md.
//
// 1. Overhead on the service: hello-world requests/s of a service (its own
//    process) while /metrics and /stats of its meta app are scraped once a
//    second, against the same service not scraped; the two take turns in
//    short runs, round after round, and the ratio is the median of the
//    per-round ratios. Target: within 2 %.
// 2. Render time of /stats (JSON and HTML) and /metrics with 1,000
//    statistics, through the app's handler on loopback.
// 3. renderPrometheus and the merge of 8 workers next to prom-client
//    (bench/metrics.mjs).
//
//   node --expose-gc bench/run.mjs   (BENCH_RUNS=7 BENCH_SECONDS=3 by default; about 2 min)
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { Context } from '@support/context';
import { createMetaApp } from '@support/meta';
import { fmt, machine, median, table } from '@support-tools/bench';
import { runMetricsBench } from './metrics.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 10;
const here = (name) => new URL(name, import.meta.url);

process.stdout.write(`## @support/meta\n\n${machine()}\n\n`);

async function load(port) {
  const child = spawn(
    process.execPath,
    [here('load.mjs').pathname, String(port), String(SECONDS), String(CONNECTIONS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  await once(child, 'exit');
  const r = JSON.parse(out.trim());
  return { perSecond: r.requests / r.seconds, requests: r.requests };
}

// 1. Overhead of being scraped.
{
  const server = fork(here('overhead-server.mjs'), [], { stdio: 'inherit' });
  const [ports] = await once(server, 'message');
  const scrape = async () => {
    for (const path of ['/metrics', '/stats']) {
      const r = await fetch(`http://127.0.0.1:${ports.meta}${path}`, {
        headers: { accept: '*/*' },
      });
      await r.arrayBuffer();
    }
  };
  await load(ports.hello); // warm-up
  const quiet = [];
  const scraped = [];
  const ratios = [];
  const cpuQuiet = [];
  const cpuScraped = [];
  const capacity = [];
  const serverCpu = async () => {
    server.send('cpu');
    const [usage] = await once(server, 'message');
    return usage.user + usage.system;
  };
  for (let round = 0; round < RUNS; round++) {
    const order = round % 2 === 0 ? ['quiet', 'scraped'] : ['scraped', 'quiet'];
    const result = {};
    const cpu = {};
    for (const variant of order) {
      let timer;
      if (variant === 'scraped') {
        await scrape();
        timer = setInterval(() => void scrape(), 1000);
      }
      const before = await serverCpu();
      const { perSecond, requests } = await load(ports.hello);
      clearInterval(timer);
      result[variant] = perSecond;
      cpu[variant] = ((await serverCpu()) - before) / requests;
    }
    quiet.push(result.quiet);
    scraped.push(result.scraped);
    ratios.push(result.scraped / result.quiet);
    cpuQuiet.push(cpu.quiet);
    cpuScraped.push(cpu.scraped);
    capacity.push(cpu.quiet / cpu.scraped);
  }
  // What one scrape costs the service, measured with no load: CPU of 10 scrapes.
  const scrapeCpu = [];
  for (let i = 0; i < 10; i++) {
    const before = await serverCpu();
    await scrape();
    scrapeCpu.push(((await serverCpu()) - before) / 1000);
  }
  server.disconnect();
  await once(server, 'exit');
  const r = median(ratios);
  process.stdout.write(
    `### Overhead of scraping on the service\n\nHello-world service with 200 statistics and the loop monitor on; its meta app in the same process. A client process keeps ${CONNECTIONS} keep-alive requests in flight for ${SECONDS} s per run, ${RUNS} rounds, variants alternating; /metrics and /stats fetched once a second during the scraped runs.\n\n`,
  );
  table(
    ['variant', 'requests/s (median)', 'vs not scraped (median of rounds, range)'],
    [
      ['not scraped', fmt(median(quiet)), '100 %'],
      [
        'scraped once a second',
        fmt(median(scraped)),
        `${fmt(r * 100)} % (${fmt(Math.min(...ratios) * 100)}–${fmt(Math.max(...ratios) * 100)})`,
      ],
    ],
  );
  const c = median(capacity);
  const perScrape = median(scrapeCpu);
  process.stdout.write(
    `One scrape (/metrics and /stats, 201 statistics) costs the service ${fmt(perScrape)} ms of CPU (median of 10, no load): once a second that is ${fmt(perScrape / 10)} % of one core, the most it can take from a CPU-bound service's throughput.\n\n`,
  );
  process.stdout.write(
    `Server CPU time per hello-world request (user + system), which other work on the machine disturbs far less than requests/s; capacity = CPU per request not scraped / scraped (scraping's own CPU included).\n\n`,
  );
  table(
    ['variant', 'µs CPU per request (median)', 'capacity vs not scraped (median of rounds, range)'],
    [
      ['not scraped', fmt(median(cpuQuiet)), '100 %'],
      [
        'scraped once a second',
        fmt(median(cpuScraped)),
        `${fmt(c * 100)} % (${fmt(Math.min(...capacity) * 100)}–${fmt(Math.max(...capacity) * 100)})`,
      ],
    ],
  );
}

// 2. Render time of views with 1,000 statistics.
{
  const ctx = new Context({ monitoring: false, watchdog: false, maxStatNames: 2000 });
  for (let k = 0; k < 1000; k++) {
    const s = k % 2 === 0 ? ctx.stats.get(`app.stat.${k}`) : ctx.durations.get(`app.op.${k}`);
    for (let i = 0; i < 200; i++) s.add(((i * 7919 + k) % 1000) / 10 + 0.1);
  }
  const meta = createMetaApp({ context: ctx, maxRows: 5000, snapshotTtl: 0 });
  const server = http.createServer(meta.handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  globalThis.gc?.();
  const cases = [
    ['/stats (JSON)', '/stats', 'application/json'],
    ['/stats (HTML)', '/stats', 'text/html'],
    ['/metrics (Prometheus text)', '/metrics', 'text/plain'],
    ['/stats/:name (HTML, one statistic)', '/stats/app.op.1', 'text/html'],
  ];
  const rows = [];
  for (const [label, path, accept] of cases) {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++)
      await (await fetch(`${base}${path}`, { headers: { accept } })).arrayBuffer();
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      const body = await (await fetch(`${base}${path}`, { headers: { accept } })).arrayBuffer();
      times.push(performance.now() - t0);
      bytes = body.byteLength;
    }
    rows.push([label, fmt(median(times)), `${fmt(bytes / 1024)} KiB`]);
  }
  server.closeAllConnections();
  server.close();
  await meta.close();
  await ctx.close();
  process.stdout.write(
    `### Render time with 1,000 statistics\n\nOne process, 1,000 statistics of 200 points each (half stats, half durations); time from request to the last byte on loopback (a fresh snapshot each time: snapshotTtl 0), median of 21 requests after 3 warm-ups.\n\n`,
  );
  table(['view', 'ms (median)', 'size'], rows);
}

// 3. Prometheus rendering and merging next to prom-client.
await runMetricsBench();

// One benchmark server, run in its own process by bench/run.mjs.
// argv[2] is JSON: { kind, port, workers }.
//   'group'          @support/core Group, prefork: true (arbiter + workers)
//   'group-lean'     the same with instrumentation 'off' and no per-request admission
//   'group-single'   Group in one process (gate, admission, instrumentation)
//   'group-single-noadmission'  the same without the per-request admission
//   'group-single-basic', 'group-single-off'  with instrumentation 'basic' / 'off'
//   'bare'           http.createServer in one process
//   'cluster'        node:cluster (round-robin) + http.createServer
//   'fastify'        node:cluster (round-robin) + Fastify
// Each answers GET / with "hello\n" and prints `READY` once it listens.
import cluster from 'node:cluster';
import http from 'node:http';
import { Context, Group, prefork } from '@support/core';
import Fastify from 'fastify';

const { kind, port, workers = 2, meta } = JSON.parse(process.argv[2] ?? '{}');
// `/w<ms>` burns <ms> of CPU before answering (the overload figure); anything else is hello world.
const hello = (req, res) => {
  if (req.url.startsWith('/w')) {
    const end = performance.now() + Number(req.url.slice(2));
    while (performance.now() < end) {
      // the request's CPU work
    }
  }
  res.end('hello\n');
};
const ready = () => process.stdout.write('READY\n');
// `cpu` on stdin: prints `CPU <µs of user + system time this process used>`
// (meaningful for the one-process kinds: the cost per request without the
// load generator's share of the machine).
process.stdin.on('data', (d) => {
  if (String(d).includes('cpu')) {
    const u = process.cpuUsage();
    process.stdout.write(`CPU ${u.user + u.system}\n`);
  }
});
process.stdin.unref?.();

if (kind === 'group' || kind === 'group-lean') {
  const group = new Group({
    ...(kind === 'group-lean' ? { instrumentation: 'off', admission: false } : {}),
    http: [{ app: hello, address: { host: '127.0.0.1', port } }],
    prefork: true,
    numWorkers: workers,
    ...(meta ? { metaAddress: { host: '127.0.0.1', port: meta } } : {}),
  });
  await group.serveForever({ onReady: ready });
  if (!prefork.isWorker()) process.exit(0);
} else if (kind.startsWith('group-single')) {
  const context = new Context({ monitoring: false, watchdog: false });
  const group = new Group({
    http: [{ app: hello, address: { host: '127.0.0.1', port } }],
    context,
    ...(kind === 'group-single-noadmission' ? { admission: false } : {}),
    ...(kind === 'group-single-basic' ? { instrumentation: 'basic' } : {}),
    ...(kind === 'group-single-off' ? { instrumentation: 'off' } : {}),
  });
  await group.serveForever({ onReady: ready });
  process.exit(0);
} else if (kind === 'bare') {
  http.createServer(hello).listen(port, '127.0.0.1', ready);
} else if (kind === 'cluster' || kind === 'fastify') {
  if (cluster.isPrimary) {
    cluster.schedulingPolicy = cluster.SCHED_RR;
    let listening = 0;
    for (let i = 0; i < workers; i++) {
      cluster.fork().on('listening', () => {
        if (++listening === workers) ready();
      });
    }
    process.on('SIGTERM', () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill();
      process.exit(0);
    });
  } else if (kind === 'cluster') {
    http.createServer(hello).listen(port, '127.0.0.1');
  } else {
    const app = Fastify({ logger: false });
    app.get('/', async () => 'hello\n');
    await app.listen({ port, host: '127.0.0.1' });
  }
} else {
  throw new Error(`unknown kind ${kind}`);
}

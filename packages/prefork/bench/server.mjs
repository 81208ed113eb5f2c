// One benchmark server, run in its own process by bench/run.mjs.
// argv[2] is JSON: { kind, workers, admission }.
//   kind 'cluster-rr'   node:cluster, round-robin distribution by the primary
//   kind 'cluster-none' node:cluster, SCHED_NONE (workers accept; the kernel distributes)
//   kind 'arbiter'      @support/prefork's Arbiter (least-busy dispatch, bounded queue)
//   kind 'single'       one process: ConnectionGate + HttpAdmission
// admission: wrap the handler in HttpAdmission in each worker.
// Prints `READY <port>` once every worker listens; answers `cpu` on stdin
// with `CPU <µs user+system of this process>` (meaningful for 'single').
// Paths: /w<ms> burns <ms> of CPU before answering; /hold is never answered
// (it keeps a request in flight); anything else is hello-world.
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { Context } from '@support/context';
import { Arbiter, ConnectionGate, HttpAdmission, isWorker } from '@support/prefork';

// `rule`: HttpAdmission options (target, interval, budget, …) to compare rules.
const {
  kind,
  workers = 2,
  admission = false,
  maxInFlight,
  rule,
} = JSON.parse(process.argv[2] ?? '{}');

function handler(req, res) {
  if (req.url === '/hold') return;
  if (req.url.startsWith('/w')) {
    const end = performance.now() + Number(req.url.slice(2));
    while (performance.now() < end) {
      // the request's CPU work
    }
  }
  res.end('hello\n');
}

function app(context) {
  if (!admission) return handler;
  return new HttpAdmission({ context, ...(maxInFlight ? { maxInFlight } : {}), ...rule }).wrap(
    handler,
  );
}

const quiet = () => new Context({ monitoring: false, watchdog: false });
const ready = (port) => process.stdout.write(`READY ${port}\n`);
if (cluster.isPrimary && !isWorker()) {
  process.stdin.on('data', (d) => {
    if (String(d).includes('cpu')) {
      const u = process.cpuUsage();
      process.stdout.write(`CPU ${u.user + u.system}\n`);
    }
  });
  // The bench closes stdin to stop the server (and the arbiter drains first).
  if (kind !== 'arbiter') process.stdin.on('end', () => process.exit(0));
}

if (kind === 'cluster-rr' || kind === 'cluster-none') {
  if (cluster.isPrimary) {
    cluster.schedulingPolicy = kind === 'cluster-rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
    let port = 0;
    let listening = 0;
    cluster.on('listening', (_w, address) => {
      port = address.port;
      if (++listening === workers) ready(port);
    });
    // Port 0 in cluster workers: the primary picks one port for all of them.
    for (let i = 0; i < workers; i++) cluster.fork();
  } else {
    http.createServer(app(quiet())).listen(0, '127.0.0.1');
  }
} else if (kind === 'arbiter') {
  const arbiter = new Arbiter({
    workers,
    listen: [{ port: 0, host: '127.0.0.1', protocol: 'http' }],
    worker: (w) => w.serve(0, http.createServer(app(w.context))),
  });
  if (isWorker()) {
    await arbiter.run();
  } else {
    const done = arbiter.run();
    const poll = setInterval(() => {
      const s = arbiter.status();
      if (s.phase === 'running') {
        clearInterval(poll);
        ready(s.listen[0].address.port);
      }
    }, 20);
    process.stdin.on('end', () => arbiter.stop(1000));
    process.stdin.on('data', (d) => {
      if (String(d).includes('status'))
        process.stdout.write(`STATUS ${JSON.stringify(arbiter.status())}\n`);
    });
    await done;
    arbiter.close();
  }
} else if (kind === 'single') {
  const context = quiet();
  const server = http.createServer(app(context));
  const gate = new ConnectionGate({ context, protocol: 'http' });
  const front = net.createServer({ pauseOnConnect: true }, (s) =>
    gate.handle(s, (socket) => server.emit('connection', socket)),
  );
  front.listen(0, '127.0.0.1', () => ready(front.address().port));
} else {
  process.stderr.write(`unknown kind ${kind}\n`);
  process.exit(2);
}

import net from 'node:net';
import { Context } from '@support/context';
import { afterEach, describe, expect, it } from 'vitest';
import { DISPATCH_STATS, Dispatcher } from '../src/arbiter/dispatcher.js';
import type { WorkerProc } from '../src/arbiter/worker-proc.js';
import { resolveOptions } from '../src/options.js';

// The dispatcher's decisions with stand-in workers (no processes): which
// worker gets a connection, when it queues, when it sheds, what a dead
// worker's stranded hand-offs become.

interface FakeWorker {
  id: number;
  state: string;
  reported: { conns: number; reqs: number; ack: number };
  seq: number;
  dispatched: number;
  unacked: Array<{ seq: number; index: number; socket: net.Socket; at: number }>;
  child: { connected: boolean };
  sent: number[];
  readonly conns: number;
  send(msg: { seq: number }, handle: net.Socket, cb: (e: Error | null) => void): boolean;
}

function fake(id: number, load: { conns?: number; reqs?: number } = {}): FakeWorker {
  return {
    id,
    state: 'ready',
    reported: { conns: load.conns ?? 0, reqs: load.reqs ?? 0, ack: 0 },
    seq: 0,
    dispatched: 0,
    unacked: [],
    child: { connected: true },
    sent: [],
    get conns() {
      return this.reported.conns + (this.seq - this.reported.ack);
    },
    send(msg, _handle, cb) {
      this.sent.push(msg.seq);
      cb(null);
      return true;
    },
  };
}

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Real accepted sockets (paused), as the arbiter's server would give them. */
async function sockets(n: number): Promise<net.Socket[]> {
  const accepted: net.Socket[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const clients = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((r) => {
          const c = net.connect(port, '127.0.0.1', () => r(c));
          c.on('error', () => {});
        }),
    ),
  );
  while (accepted.length < n) await new Promise((r) => setTimeout(r, 5));
  cleanup.push(() => {
    for (const s of [...clients, ...accepted]) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return accepted;
}

function setup(workers: FakeWorker[], opts: Record<string, unknown> = {}) {
  const context = new Context({ watchdog: false, monitoring: false });
  cleanup.push(() => context.close());
  const options = resolveOptions(
    { worker: () => {}, listen: [{ port: 0, protocol: 'tcp' }], ...opts },
    context.config,
  );
  const d = new Dispatcher(options, context, () => workers as unknown as WorkerProc[]);
  const accept = (s: net.Socket) =>
    (d as unknown as { onConnection(i: number, s: net.Socket): void }).onConnection(0, s);
  (d as unknown as { accepting: boolean }).accepting = true;
  return { d, context, accept };
}

describe('Dispatcher', () => {
  it('hands each connection to the ready worker with the fewest requests, then connections, then hand-offs', async () => {
    const a = fake(0, { reqs: 2, conns: 2 });
    const b = fake(1, { reqs: 1, conns: 5 });
    const c = fake(2, { reqs: 1, conns: 3 });
    const starting = fake(3);
    starting.state = 'starting';
    const { accept } = setup([a, b, c, starting]);
    const [s1, s2, s3] = await sockets(3);
    accept(s1 as net.Socket);
    // c: 1 request like b, fewer connections.
    expect([a.sent.length, b.sent.length, c.sent.length, starting.sent.length]).toEqual([
      0, 0, 1, 0,
    ]);
    // c now has an unacknowledged hand-off (busy 2): b is the least busy.
    accept(s2 as net.Socket);
    expect(b.sent).toEqual([1]);
    // All at 2 in flight: fewest connections wins (a: 2).
    accept(s3 as net.Socket);
    expect(a.sent).toEqual([1]);
  });

  it('queues past maxClients (acceptQueueMaxlen per ready worker), sheds beyond, and pumps when a slot frees', async () => {
    const w = fake(0, { conns: 1 });
    const { d, context, accept } = setup([w], { maxClients: 1, acceptQueueMaxlen: 2 });
    const [q1, q2, s3] = await sockets(3);
    accept(q1 as net.Socket);
    accept(q2 as net.Socket);
    expect(w.sent).toEqual([]);
    expect(d.queueLength).toBe(2);
    accept(s3 as net.Socket);
    expect(d.counts).toMatchObject({ accepted: 3, queued: 2, shed: 1, dispatched: 0 });
    expect(context.stats.get(DISPATCH_STATS.shed).n).toBe(1);
    // The worker reports its connection closed: the oldest queued one goes first.
    await new Promise((r) => setTimeout(r, 20));
    w.reported = { conns: 0, reqs: 0, ack: 0 };
    d.pump();
    expect(w.sent).toEqual([1]);
    expect(w.unacked[0]?.socket).toBe(q1);
    expect(d.queueLength).toBe(1);
    expect(context.durations.get(DISPATCH_STATS.queueAge).max).toBeGreaterThanOrEqual(15);
  });

  it('re-dispatches hand-offs a dead worker never took', async () => {
    const dead = fake(0);
    const alive = fake(1, { conns: 3 });
    const workers = [dead, alive];
    const { d, accept } = setup(workers);
    const [s1] = await sockets(1);
    // Node still holds the socket (its handle was never sent): it is re-dispatched.
    dead.send = function (msg) {
      this.sent.push(msg.seq);
      return true;
    };
    accept(s1 as net.Socket);
    expect(dead.unacked).toHaveLength(1);
    dead.state = 'exited';
    workers.splice(0, 1);
    d.rescue(dead as unknown as WorkerProc);
    expect(alive.sent).toEqual([1]);
    expect(d.counts.dispatched).toBe(2);
  });
});

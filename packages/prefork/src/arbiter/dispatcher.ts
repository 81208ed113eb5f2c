import net from 'node:net';
import type { Context } from '@support/context';
import { codes, PreforkError } from '../errors.js';
import type { ResolvedListen, ResolvedOptions } from '../options.js';
import { TAG } from '../protocol.js';
import { resolveShedOptions, shedResolved } from '../shed.js';
import type { WorkerProc } from './worker-proc.js';

interface Queued {
  socket: net.Socket;
  index: number;
  at: number;
}

/** Stat names the dispatcher records in the arbiter's Context. */
export const DISPATCH_STATS = {
  /** Connections accepted (count). */
  accepted: 'prefork.dispatch.accepted',
  /** Milliseconds from accept to hand-off, for every connection handed off. */
  queueAge: 'prefork.dispatch.queueAge',
  /** Connections waiting in the arbiter's queue, sampled at each accept. */
  queueLength: 'prefork.dispatch.queueLength',
  /** Connections shed because every worker was full and the queue too (count). */
  shed: 'prefork.dispatch.shed',
  /** Hand-offs that failed because the worker went away; the connection was re-dispatched. */
  handoffRetries: 'prefork.dispatch.handoffRetries',
} as const;

/**
 * Owns the listening sockets; accepts, and hands each connection to the
 * least-busy ready worker that has room. Beyond that, connections wait in
 * one bounded queue (acceptQueueMaxlen per ready worker) and are handed to
 * the first worker that frees a slot; beyond the queue they are shed.
 */
export class Dispatcher {
  readonly servers: net.Server[] = [];
  private readonly queue: Queued[] = [];
  private readonly shedOptions: ReturnType<typeof resolveShedOptions>[];
  private accepting = false;
  counts = { accepted: 0, dispatched: 0, queued: 0, shed: 0, queueMax: 0 };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly context: Context,
    private readonly workers: () => Iterable<WorkerProc>,
  ) {
    this.shedOptions = options.listen.map((l) =>
      resolveShedOptions({
        protocol: l.protocol,
        retryAfter: options.retryAfter,
        reason: 'all-workers-full',
        context,
      }),
    );
  }

  /** Opens every listening socket (`inherited[i]`, when given, is an already-listening fd for listen[i]). */
  async listen(inherited: number[]): Promise<void> {
    for (const [i, spec] of this.options.listen.entries()) {
      const server = net.createServer({ pauseOnConnect: true });
      server.on('connection', (socket) => this.onConnection(i, socket));
      server.on('error', () => {});
      this.servers.push(server);
      await listenOne(server, spec, inherited[i]);
    }
    this.accepting = true;
  }

  /** Where each socket listens, for status(). */
  addresses(): Array<{
    index: number;
    protocol: string;
    address: string | net.AddressInfo | null;
    fd: number | null;
  }> {
    return this.servers.map((s, index) => ({
      index,
      protocol: this.options.listen[index]?.protocol ?? 'http',
      address: s.address(),
      fd: fdOf(s),
    }));
  }

  /** The listening fds, in listen order (for a hot upgrade). */
  fds(): number[] {
    return this.servers.map((s) => fdOf(s) ?? -1);
  }

  get queueLength(): number {
    return this.queue.length;
  }

  /** Kernel distribution: give `w` the listening sockets so it accepts on them itself. */
  shareWith(w: WorkerProc): void {
    for (const [i, server] of this.servers.entries()) w.send({ sup: TAG, t: 'listen', i }, server);
  }

  /** Stops accepting (closes this process's listening sockets) and sheds whatever still waits. */
  stopAccepting(): void {
    this.accepting = false;
    // Not waiting for 'close': the server counts connections it handed off, which the workers finish.
    for (const s of this.servers) if (s.listening) s.close(() => {});
    for (const q of this.queue.splice(0)) this.shed(q.index, q.socket);
  }

  /** Hands queued connections to workers that have room; call when loads change. */
  pump(): void {
    while (this.queue.length > 0) {
      const w = this.pick();
      if (w === undefined) return;
      const q = this.queue.shift() as Queued;
      this.handOff(w, q.index, q.socket, q.at);
    }
  }

  private onConnection(index: number, socket: net.Socket): void {
    const now = Date.now();
    this.counts.accepted++;
    this.context.stats.get(DISPATCH_STATS.accepted).add(1);
    if (!this.accepting) return void socket.destroy();
    const w = this.queue.length === 0 ? this.pick() : undefined;
    if (w !== undefined) {
      this.handOff(w, index, socket, now);
      return;
    }
    if (this.queue.length < this.queueCapacity()) {
      this.queue.push({ socket, index, at: now });
      this.counts.queued++;
      this.counts.queueMax = Math.max(this.counts.queueMax, this.queue.length);
      this.context.stats.get(DISPATCH_STATS.queueLength).add(this.queue.length);
      this.pump();
      return;
    }
    this.shed(index, socket);
  }

  private queueCapacity(): number {
    let ready = 0;
    for (const w of this.workers()) if (w.state === 'ready') ready++;
    return this.options.acceptQueueMaxlen * Math.max(ready, 1);
  }

  /** The ready worker with room and the fewest requests in flight (then connections, then hand-offs so far). */
  private pick(): WorkerProc | undefined {
    let best: WorkerProc | undefined;
    let bestBusy = 0;
    let bestConns = 0;
    const max = this.options.maxClients;
    for (const w of this.workers()) {
      if (w.state !== 'ready') continue;
      const conns = w.conns;
      const busy = w.reported.reqs + (w.seq - w.reported.ack);
      if (conns >= max || busy >= max) continue;
      if (
        best === undefined ||
        busy < bestBusy ||
        (busy === bestBusy &&
          (conns < bestConns || (conns === bestConns && w.dispatched < best.dispatched)))
      ) {
        best = w;
        bestBusy = busy;
        bestConns = conns;
      }
    }
    return best;
  }

  /**
   * A worker died: connections handed to it that never left this process
   * (Node queues handle passing until the previous one is acknowledged, and
   * drops that queue when the channel closes) go to another worker.
   */
  rescue(w: WorkerProc): void {
    const unacked = w.unacked.splice(0);
    // The hand-off in progress when the worker died: Node holds its handle until
    // the receiver acknowledges it, which a dead worker never does, so the
    // client would hang. The worker never read from it: hand it to another.
    const internals = w.child as unknown as { _pendingMessage?: { handle?: unknown } | null };
    const raw = internals._pendingMessage?.handle as { readStart?: unknown } | undefined;
    const pendingEntry = [...unacked].reverse().find((u) => !hasHandle(u.socket));
    if (raw !== undefined && typeof raw.readStart === 'function' && pendingEntry !== undefined) {
      internals._pendingMessage = null;
      const socket = new net.Socket({
        handle: raw,
        readable: true,
        writable: true,
        pauseOnCreate: true,
      } as net.SocketConstructorOpts);
      this.requeue(pendingEntry.index, socket, pendingEntry.at);
    }
    // Hand-offs still queued inside Node (behind the pending one) never left this process.
    for (const u of unacked) {
      if (hasHandle(u.socket) && !u.socket.destroyed) this.requeue(u.index, u.socket, u.at);
    }
    this.pump();
  }

  private requeue(index: number, socket: net.Socket, at: number): void {
    this.context.stats.get(DISPATCH_STATS.handoffRetries).add(1);
    this.queue.push({ socket, index, at });
  }

  private handOff(w: WorkerProc, index: number, socket: net.Socket, acceptedAt: number): void {
    w.seq++;
    w.unacked.push({ seq: w.seq, index, socket, at: acceptedAt });
    w.dispatched++;
    this.counts.dispatched++;
    this.context.durations.get(DISPATCH_STATS.queueAge).add(Date.now() - acceptedAt);
    const sent = w.send({ sup: TAG, t: 'conn', i: index, seq: w.seq }, socket, (error) => {
      if (error !== null) this.retry(index, socket, acceptedAt);
    });
    if (!sent && !w.child.connected) this.retry(index, socket, acceptedAt);
  }

  private retry(index: number, socket: net.Socket, acceptedAt: number): void {
    if (socket.destroyed) return;
    this.context.stats.get(DISPATCH_STATS.handoffRetries).add(1);
    this.queue.unshift({ socket, index, at: acceptedAt });
    setImmediate(() => this.pump());
  }

  private shed(index: number, socket: net.Socket): void {
    this.counts.shed++;
    this.context.stats.get(DISPATCH_STATS.shed).add(1);
    const o = this.shedOptions[index];
    if (o === undefined) return void socket.destroy();
    shedResolved(socket, o);
  }
}

function hasHandle(socket: net.Socket): boolean {
  return Boolean((socket as net.Socket & { _handle?: unknown })._handle);
}

function fdOf(server: net.Server): number | null {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

function listenOne(
  server: net.Server,
  spec: ResolvedListen,
  inherited: number | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        new PreforkError(
          codes.LISTEN_FAILED,
          `cannot listen on ${describeListen(spec, inherited)}: ${error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      resolve();
    };
    if (inherited !== undefined) server.listen({ fd: inherited }, done);
    else if (spec.fd !== undefined) server.listen({ fd: spec.fd }, done);
    else if (spec.path !== undefined)
      server.listen({ path: spec.path, backlog: spec.backlog }, done);
    else server.listen({ port: spec.port, host: spec.host, backlog: spec.backlog }, done);
  });
}

function describeListen(spec: ResolvedListen, inherited: number | undefined): string {
  if (inherited !== undefined) return `inherited fd ${inherited}`;
  if (spec.fd !== undefined) return `fd ${spec.fd}`;
  if (spec.path !== undefined) return spec.path;
  return `${spec.host}:${spec.port}`;
}

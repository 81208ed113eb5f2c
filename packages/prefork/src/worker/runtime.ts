import http from 'node:http';
import type net from 'node:net';
import { Context, setContext } from '@support/context';
import { CONFIG_ENV } from '../env.js';
import type { ResolvedOptions, WorkerApi } from '../options.js';
import { type ArbiterMessage, isOurs, type Load, TAG, type WorkerMessage } from '../protocol.js';
import { runCommand } from './commands.js';
import { startHttpTimeouts, stopHttpTimeouts } from './http-timeouts.js';
import { LoadReporter } from './load-reporter.js';
import { startOrphanGuard } from './orphan-guard.js';
import { jittered, openFds, softFdLimit } from './resources.js';

/** How often a draining worker closes keep-alive sockets that went idle. */
const IDLE_SWEEP_MS = 100;
/**
 * A draining worker closes a connection with no request in flight for this
 * long (ms). Closing races a client's next request on that connection (it
 * sees a hang-up); a client starved of CPU on a loaded machine can sit more
 * than 500 ms between two requests, so wait longer: draining is bounded by
 * gracefulTimeout anyway, and responses meanwhile carry Connection: close.
 */
const IDLE_CLOSE_MS = 2000;
/** How often a worker over a limit repeats its request to be replaced. */
const RETIRE_REPEAT_MS = 5000;

interface Served {
  server: net.Server;
  http: boolean;
  /** Kernel distribution: the shared listening handle, once the arbiter sent it. */
  listening: boolean;
}

/**
 * The worker half: runs `options.worker(w)`, receives connections from the
 * arbiter, reports load and health, checks its own limits, and drains on
 * request. One per worker process.
 */
export class WorkerRuntime {
  readonly context: Context;
  private readonly served = new Map<number, Served>();
  private readonly handles = new Map<number, net.Server>();
  private readonly drainHooks: Array<() => unknown> = [];
  /** Open connections: requests in flight on each, and since when it has been idle. */
  private readonly conns = new Map<
    net.Socket,
    { http: boolean; active: number; idleSince: number }
  >();
  private reqs = 0;
  private servedCount = 0;
  private ack = 0;
  private readonly reporter: LoadReporter;
  private started = false;
  private readySent = false;
  private retiredAt = Number.NEGATIVE_INFINITY;
  private draining: Promise<void> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private guard: import('node:worker_threads').Worker | undefined;
  private readonly memLimit: number;
  private readonly fdLimit: number | null;
  private readonly requestLimit: number;

  constructor(
    readonly id: number,
    private readonly options: ResolvedOptions,
  ) {
    this.context = new Context({ watchdog: true, monitoring: true, config: inheritedConfig() });
    setContext(this.context);
    const o = options;
    this.memLimit = jittered(o.memoryLimit, o.limitJitter);
    const fdBase = o.fdLimit ?? (softFdLimit() === null ? null : Math.floor(softFdLimit()! * 0.9));
    this.fdLimit = fdBase === null ? null : jittered(fdBase, o.limitJitter);
    this.requestLimit = o.maxRequests === 0 ? 0 : jittered(o.maxRequests, o.maxRequestsJitter);
    this.reporter = new LoadReporter(
      () => this.load(),
      (load) => this.send({ sup: TAG, t: 'load', load }),
      o.maxClients,
    );
  }

  /** Runs the worker until it drains; exits the process at the end. */
  async run(): Promise<void> {
    process.on('message', (msg, handle) => this.onMessage(msg, handle));
    process.on('disconnect', () => void this.drain(this.options.gracefulTimeout));
    process.on('SIGTERM', () => void this.drain(this.options.gracefulTimeout));
    // Ctrl-C reaches the whole process group; the arbiter decides what happens.
    process.on('SIGINT', () => {});
    const guard = startOrphanGuard(this.options.gracefulTimeout + this.options.killGrace);
    this.guard = guard;
    const beat = setInterval(() => this.heartbeat(), this.options.heartbeatInterval);
    const check = setInterval(() => this.checkLimits(), this.options.checkInterval);
    beat.unref();
    check.unref();
    this.timers.push(beat, check);
    const api: WorkerApi = {
      id: this.id,
      context: this.context,
      serve: (index, server) => this.serve(index, server),
      onDrain: (fn) => {
        if (typeof fn !== 'function') throw new TypeError('w.onDrain(fn): fn must be a function');
        this.drainHooks.push(fn);
      },
    };
    try {
      await this.options.worker(api);
    } catch (error) {
      this.send({ sup: TAG, t: 'failed', error: describe(error) });
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 50).unref();
      return;
    }
    this.started = true;
    if (this.options.distribution !== 'kernel')
      for (const entry of this.served.values()) startHttpTimeouts(entry.server);
    this.heartbeat();
    this.maybeReady();
  }

  private serve(index: number, server: net.Server): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.options.listen.length)
      throw new RangeError(
        `w.serve(index): index must be an integer from 0 to ${this.options.listen.length - 1}`,
      );
    if (this.served.has(index)) throw new Error(`w.serve(${index}): already served`);
    const entry: Served = { server, http: false, listening: false };
    this.served.set(index, entry);
    // First in line, so a draining worker can still set `Connection: close` before the app answers.
    server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
      this.onRequest(entry, req, res),
    );
    if (this.options.distribution === 'kernel') {
      server.on('connection', (socket: net.Socket) => this.track(socket, entry));
      this.bindKernel(index);
    }
  }

  private onRequest(entry: Served, req: http.IncomingMessage, res: http.ServerResponse): void {
    entry.http = true;
    this.reqs++;
    this.servedCount++;
    const conn = this.conns.get(req.socket);
    if (conn !== undefined) conn.active++;
    if (this.draining !== undefined && !res.headersSent) res.setHeader('Connection', 'close');
    res.once('close', () => {
      this.reqs--;
      if (conn !== undefined) {
        conn.active--;
        conn.idleSince = Date.now();
      }
      this.report();
    });
    this.report();
    this.checkRequests();
  }

  private track(socket: net.Socket, entry: Served): void {
    // Our own 'request' listener is one; an HTTP server has the app's too.
    const isHttp = entry.server instanceof http.Server || entry.server.listenerCount('request') > 1;
    this.conns.set(socket, { http: isHttp, active: 0, idleSince: Date.now() });
    socket.once('close', () => {
      this.conns.delete(socket);
      if (!entry.http) this.checkRequests();
      this.report();
    });
    if (!isHttp) this.servedCount++;
    this.report();
  }

  private bindKernel(index: number): void {
    const entry = this.served.get(index);
    const handle = this.handles.get(index);
    if (entry === undefined || handle === undefined || entry.listening) return;
    entry.listening = true;
    entry.server.listen(handle, () => this.maybeReady());
  }

  private maybeReady(): void {
    if (!this.started || this.readySent) return;
    if (this.options.distribution === 'kernel') {
      for (const entry of this.served.values()) if (!entry.server.listening) return;
    }
    this.readySent = true;
    this.send({ sup: TAG, t: 'ready' });
  }

  private onMessage(msg: unknown, handle: unknown): void {
    if (!isOurs(msg)) return;
    const m = msg as ArbiterMessage;
    switch (m.t) {
      case 'conn':
        this.onConnection(m.i, m.seq, handle as net.Socket | undefined);
        break;
      case 'listen':
        if (handle !== undefined) {
          this.handles.set(m.i, handle as net.Server);
          this.bindKernel(m.i);
        }
        break;
      case 'drain':
        void this.drain(m.timeout);
        break;
      case 'cmd':
        runCommand(this.context, this.id, m.op, m.arg).then(
          (value) => this.send({ sup: TAG, t: 'reply', rid: m.rid, ok: true, value }),
          (error) =>
            this.send({ sup: TAG, t: 'reply', rid: m.rid, ok: false, error: describe(error) }),
        );
        break;
    }
  }

  private onConnection(index: number, seq: number, socket: net.Socket | undefined): void {
    this.ack = Math.max(this.ack, seq);
    const entry = this.served.get(index);
    if (socket === undefined || entry === undefined) {
      socket?.destroy();
      this.report();
      return;
    }
    this.track(socket, entry);
    adopt(entry.server, socket);
    entry.server.emit('connection', socket);
    socket.resume();
  }

  private load(): Load {
    return { conns: this.conns.size, reqs: this.reqs, ack: this.ack };
  }

  /** Tells the arbiter the load changed (when it matters: see LoadReporter). */
  private report(): void {
    this.reporter.changed();
  }

  private heartbeat(): void {
    const load = this.load();
    this.reporter.noteSent(load);
    this.send({
      sup: TAG,
      t: 'hb',
      load,
      rss: process.memoryUsage.rss(),
      fds: openFds(),
      served: this.servedCount,
    });
  }

  private checkLimits(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.memLimit) {
      this.retire(`rss ${rss} bytes over the limit of ${this.memLimit}`);
      return;
    }
    if (this.fdLimit !== null) {
      const fds = openFds();
      if (fds !== null && fds > this.fdLimit)
        this.retire(`${fds} open fds over the limit of ${this.fdLimit}`);
    }
  }

  private checkRequests(): void {
    if (this.requestLimit > 0 && this.servedCount >= this.requestLimit)
      this.retire(`served ${this.servedCount} of maxRequests ${this.requestLimit}`);
  }

  /** Asks the arbiter for a graceful replacement (again every RETIRE_REPEAT_MS while over a limit, in case a replacement failed). */
  private retire(reason: string): void {
    const now = Date.now();
    if (this.draining !== undefined || now - this.retiredAt < RETIRE_REPEAT_MS) return;
    this.retiredAt = now;
    this.send({ sup: TAG, t: 'retire', reason });
  }

  /** Finishes in-flight work (up to `timeout` ms), closes idle keep-alive sockets, runs onDrain hooks, exits. */
  drain(timeout: number): Promise<void> {
    this.draining ??= (async () => {
      const deadline = Date.now() + timeout;
      for (const entry of this.served.values()) {
        if (entry.server.listening) entry.server.close(() => {});
        else stopHttpTimeouts(entry.server);
      }
      // Busy keep-alive connections learn of the drain from `Connection: close` on
      // their next response; a connection idle for IDLE_CLOSE_MS is closed. Closing
      // one the moment it goes idle would race with the client's next request.
      while (this.conns.size > 0 && Date.now() < deadline) {
        const now = Date.now();
        for (const [socket, conn] of this.conns) {
          if (conn.http && conn.active === 0 && now - conn.idleSince >= IDLE_CLOSE_MS)
            socket.destroy();
        }
        await sleep(IDLE_SWEEP_MS);
      }
      for (const socket of this.conns.keys()) socket.destroy();
      for (const hook of this.drainHooks) {
        try {
          await hook();
        } catch (error) {
          this.context.log.get('prefork').warn('DRAIN_HOOK').exception(error);
        }
      }
      for (const t of this.timers) clearInterval(t);
      this.reporter.close();
      await this.guard?.terminate();
      await this.context.close().catch(() => {});
      process.exit(0);
    })();
    return this.draining;
  }

  private send(msg: WorkerMessage): void {
    if (!process.connected || process.send === undefined) return;
    try {
      process.send(msg);
    } catch {
      // The channel closed between the check and the send; the 'disconnect' handler drains.
    }
  }
}

/**
 * What net.Server does to a socket it accepted itself before emitting
 * 'connection' (Node's net.js onconnection), which a handed-over socket
 * missed: the server's noDelay (http servers default to true; without it a
 * kept-alive response can wait on Nagle and delayed ACKs) and keepAlive
 * options, and `socket.server`.
 */
function adopt(server: net.Server, socket: net.Socket): void {
  const o = server as net.Server & {
    noDelay?: boolean;
    keepAlive?: boolean;
    keepAliveInitialDelay?: number;
  };
  if (o.noDelay === true) socket.setNoDelay(true);
  if (o.keepAlive === true) socket.setKeepAlive(true, o.keepAliveInitialDelay ?? 0);
  (socket as net.Socket & { server?: net.Server }).server ??= server;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The arbiter Context's config, passed in the environment; undefined when absent or unreadable. */
function inheritedConfig(): Record<string, unknown> | undefined {
  const raw = process.env[CONFIG_ENV];
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

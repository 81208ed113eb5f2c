import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Context, setContext } from '@support/context';
import { isWorker } from '@support/prefork';
import { boundAddress, formatAddress, listen, type ResolvedAddress } from './address.js';
import { type Admission, createAdmission, createGate, type Gate } from './admission.js';
import { type ConsoleServer, startConsole } from './console.js';
import { stateChannel } from './diagnostics.js';
import { CoreError, codes } from './errors.js';
import { createHttpServing, type HttpServing } from './http-server.js';
import { defaultRouteOf, type RouteOf } from './instrument.js';
import { type MetaServing, startMeta } from './meta.js';
import {
  type GroupOptions,
  type ResolvedEntry,
  type ResolvedGroupOptions,
  resolveGroupOptions,
} from './options.js';
import type { ArbiterLike, PreforkHooks } from './prefork.js';
import { createTcpServing, type TcpServing } from './tcp-server.js';
import { webRouteOf } from './web-routes.js';

/** Where Group is in its life. */
export type GroupState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** One served entry in one process. */
interface Listener {
  entry: ResolvedEntry;
  /** The listening server (absent under prefork, where the arbiter listens). */
  front: Server | undefined;
  address: ResolvedAddress;
  gate: Gate | undefined;
  http: HttpServing | undefined;
  tcp: TcpServing | undefined;
  custom: Server | undefined;
  /** Connections handed to the entry and not closed yet. */
  sockets: Set<Socket>;
}

/**
 * Composes HTTP, TCP and custom servers into one service, in one process or
 * preforked, with admission control, instrumentation into the Context, the
 * meta app and an optional console. See the package README.
 */
export class Group {
  /** Component kind in the Context's registry. */
  readonly kind = 'group';
  readonly options: ResolvedGroupOptions;
  #context: Context;
  /** The Context Group created (closed by stop()), if it created one. */
  readonly #ownedContext: Context | undefined;
  #stateValue: GroupState = 'new';
  #listeners: Listener[] = [];
  #admission: Admission | undefined;
  #meta: MetaServing | undefined;
  #console: ConsoleServer | undefined;
  #unregister: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  #startedAt = 0;
  #onReady: ((group: Group) => void) | undefined;
  /** Set under prefork: the arbiter (primary and workers). */
  #arbiter: ArbiterLike | undefined;

  constructor(options: GroupOptions) {
    this.options = resolveGroupOptions(options);
    const o = this.options;
    // Created idle: the watchdog and the monitor start with start().
    this.#ownedContext =
      o.context === undefined
        ? new Context({ ...o.contextOptions, watchdog: false, monitoring: false })
        : undefined;
    this.#context = o.context ?? this.#ownedContext!;
    if (o.config !== undefined) {
      for (const [key, value] of Object.entries(o.config)) {
        try {
          (this.#context.config as unknown as Record<string, unknown>)[key] = value;
        } catch (error) {
          throw new CoreError(
            codes.INVALID_OPTION,
            `options.config.${key}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
      }
    }
  }

  /** The service's Context (under prefork, in a worker: the worker's). */
  get context(): Context {
    return this.#context;
  }

  get state(): GroupState {
    return this.#stateValue;
  }

  #setState(state: GroupState): void {
    this.#stateValue = state;
    if (stateChannel.hasSubscribers) stateChannel.publish({ state, pid: process.pid });
  }

  /** Addresses listened on, by entry name (with the ports chosen for port 0), plus 'meta' and 'console'. */
  addresses(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.#arbiter?.isPrimary) {
      const listen = this.#arbiter.arbiter.status().listen;
      this.options.entries.forEach((e, i) => {
        const a = listen[i]?.address;
        out[e.name] =
          a !== null && typeof a === 'object'
            ? formatAddress({ kind: 'tcp', host: a.address, port: a.port })
            : formatAddress(e.address);
      });
    }
    for (const l of this.#listeners) out[l.entry.name] = formatAddress(l.address);
    if (this.#meta !== undefined) out.meta = formatAddress(this.#meta.address);
    if (this.#console !== undefined) out.console = formatAddress(this.#console.address);
    return out;
  }

  /** The TCP port an entry (or 'meta' / 'console') really listens on (under prefork: in the primary). */
  port(name: string): number {
    const index = this.options.entries.findIndex((e) => e.name === name);
    if (this.#arbiter?.isPrimary && index >= 0) {
      const listen = this.#arbiter.arbiter.status().listen[index]?.address;
      if (listen !== null && typeof listen === 'object') return listen.port;
    }
    const a =
      name === 'meta'
        ? this.#meta?.address
        : name === 'console'
          ? this.#console?.address
          : this.#listeners.find((l) => l.entry.name === name)?.address;
    if (a === undefined || a.kind !== 'tcp') {
      throw new CoreError(codes.STATE, `no TCP listener named ${JSON.stringify(name)} is running`);
    }
    return a.port;
  }

  /** Plain JSON: what meta shows under components (kind 'group'). */
  status(): unknown {
    return {
      state: this.#stateValue,
      pid: process.pid,
      prefork: this.options.prefork,
      startedAt: this.#startedAt || null,
      entries: this.#listeners.map((l) => ({
        name: l.entry.name,
        kind: l.entry.kind,
        address: formatAddress(l.address),
        tls: l.entry.kind === 'custom' ? null : (l.entry.tls?.mode ?? null),
        connections: l.sockets.size,
        ...(l.http?.instruments.status() ?? l.tcp?.instruments.status() ?? {}),
        gate: l.gate?.status() ?? null,
      })),
      admission: this.#admission?.status() ?? null,
      meta: this.#meta === undefined ? null : formatAddress(this.#meta.address),
      console: this.#console === undefined ? null : formatAddress(this.#console.address),
    };
  }

  /**
   * Starts listening. In one process: every entry, the meta app and the
   * console. Under prefork, in the primary: the arbiter (its workers run the
   * entries), the meta app and the console; in a worker: that worker's servers.
   * Resolves once everything listens; rejects (having undone what it started)
   * when something cannot.
   */
  async start(): Promise<void> {
    if (this.#stateValue !== 'new') {
      throw new CoreError(
        codes.STATE,
        `start(): the group is ${this.#stateValue}; a Group starts once`,
      );
    }
    this.#setState('starting');
    try {
      if (this.options.prefork) {
        const { startPrefork } = await import('./prefork.js');
        await startPrefork(this.#preforkHooks());
      } else {
        this.#startContext(this.#context);
        await this.#startEntries(true);
        await this.#startExtras();
      }
    } catch (error) {
      this.#setState('running');
      await this.stop(0).catch(() => {});
      this.#setState('stopped');
      throw error;
    }
    this.#startedAt = Date.now();
    this.#setState('running');
  }

  /**
   * Stops gracefully: stops accepting, lets in-flight requests finish (their
   * keep-alive ends), closes idle kept-alive connections, aborts TCP handlers'
   * `info.signal`; after `timeoutMs` destroys what is left. Then closes the
   * meta app, the console and (if Group created it) the Context.
   */
  stop(timeoutMs: number = this.options.stopTimeout): Promise<void> {
    if (this.#stateValue === 'new') {
      this.#setState('stopped');
      return this.#closeContext();
    }
    this.#stopping ??= this.#stop(timeoutMs);
    return this.#stopping;
  }

  /**
   * start(), then serve until SIGTERM or SIGINT, then stop(). Under prefork
   * the same script runs in the workers: there it serves that worker's share
   * until the arbiter drains it; in the primary the arbiter supervises (SIGHUP
   * reloads, SIGUSR2 upgrades). With `daemonize`, detaches first.
   * `onReady` runs once everything listens (in the primary or the one process).
   */
  async serveForever(options: { onReady?: (group: Group) => void } = {}): Promise<void> {
    const onReady = options.onReady ?? (() => {});
    if (this.options.daemonize !== undefined && !isWorker()) {
      const { daemonize } = await import('./prefork.js');
      await daemonize(this.options.daemonize);
    }
    if (this.options.prefork) {
      if (this.#stateValue !== 'new') {
        throw new CoreError(
          codes.STATE,
          `serveForever(): the group is ${this.#stateValue}; a Group starts once`,
        );
      }
      this.#setState('starting');
      this.#onReady = onReady;
      const { serveForeverPrefork } = await import('./prefork.js');
      await serveForeverPrefork(this.#preforkHooks());
      return;
    }
    await this.start();
    onReady(this);
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    await this.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Alias of stop(), for the house convention that everything has close(). */
  close(): Promise<void> {
    return this.stop();
  }

  #startContext(context: Context): void {
    this.#context = context;
    // The Context Group created gets the monitor and the watchdog; a given one is left as configured.
    if (context === this.#ownedContext) {
      context.setMonitoring(true);
      void context.setWatchdog(true);
    }
    setContext(context);
    this.#unregister = context.components.register('group', this);
  }

  /** Builds every entry; `listenHere` false under prefork (the arbiter listens). */
  async #startEntries(listenHere: boolean): Promise<void> {
    const o = this.options;
    const ctx = this.#context;
    const maxClients = o.maxClients ?? ctx.config.maxConcurrentClients;
    const queueMax = o.acceptQueueMaxlen ?? ctx.config.acceptQueueMaxlen;
    if (o.admission !== false && o.entries.some((e) => e.kind === 'http')) {
      this.#admission = createAdmission(o.admission, ctx, maxClients);
    }
    const routeOf = o.routeOf ?? defaultRouteOf;
    for (const entry of o.entries) {
      const l: Listener = {
        entry,
        front: undefined,
        address: entry.address,
        gate: undefined,
        http: undefined,
        tcp: undefined,
        custom: undefined,
        sockets: new Set(),
      };
      if (entry.kind === 'http') {
        const web = o.routeOf === undefined ? webRouteOf(entry.app) : undefined;
        const entryRouteOf: RouteOf =
          web === undefined ? routeOf : (req, res) => defaultRouteOf(req, res) ?? web(req, res);
        l.http = createHttpServing(
          entry,
          ctx,
          o.limits,
          this.#admission,
          entryRouteOf,
          o.instrumentation,
        );
      } else if (entry.kind === 'tcp') {
        l.tcp = createTcpServing(entry, ctx, o.limits.headersTimeout);
      } else {
        l.custom = entry.server();
        if (typeof l.custom?.emit !== 'function' || typeof l.custom.close !== 'function') {
          throw new CoreError(
            codes.INVALID_OPTION,
            `options.custom: ${entry.name}.server() must return a net.Server`,
          );
        }
      }
      this.#listeners.push(l);
      if (listenHere) {
        l.gate = createGate(
          { maxClients, queueMax, protocol: entry.kind === 'http' ? 'http' : 'tcp' },
          ctx,
        );
        l.front = this.#front(l);
        await listen(l.front, entry.address);
        l.address = boundAddress(l.front, entry.address);
      }
    }
  }

  /** The server that takes an entry's connections: gate, then the entry's dispatch. */
  #front(l: Listener): Server {
    const serve = this.#serveFunction(l);
    const gate = l.gate;
    const front = createNetServer(
      gate === undefined ? serve : (socket: Socket) => gate.handle(socket, serve),
    );
    front.on('error', (error) =>
      this.#context.log.get('group').warn('ACCEPT_ERROR').exception(error),
    );
    return front;
  }

  /** How an accepted connection reaches an entry (also what a prefork worker serves). */
  #serveFunction(l: Listener): (socket: Socket) => void {
    const track = (socket: Socket) => {
      l.sockets.add(socket);
      socket.once('close', () => l.sockets.delete(socket));
    };
    if (l.http !== undefined) {
      const http = l.http;
      return (socket) => {
        track(socket);
        http.dispatch(socket);
      };
    }
    if (l.tcp !== undefined) {
      const tcp = l.tcp;
      return (socket) => {
        track(socket);
        tcp.dispatch(socket);
      };
    }
    const custom = l.custom!;
    return (socket) => {
      track(socket);
      custom.emit('connection', socket);
      if (socket.readableFlowing === false && socket.listenerCount('data') > 0) socket.resume();
    };
  }

  /**
   * The net.Server a prefork worker registers with `w.serve(i, server)` for
   * entry `i`: the HTTP server itself for plain HTTP (so the worker runtime
   * sees its requests), else a server whose connections take the entry's
   * path (TLS sniffing, TCP, custom), re-emitting the HTTP requests.
   */
  #workerServer(l: Listener): Server {
    const http = l.http;
    if (
      http !== undefined &&
      http.servers.length === 1 &&
      l.entry.kind === 'http' &&
      l.entry.tls === undefined
    ) {
      return http.servers[0]!;
    }
    const server = createNetServer();
    server.on('connection', this.#serveFunction(l));
    if (http !== undefined) {
      // Two 'request' listeners mark it as an HTTP server to the worker runtime.
      server.on('request', () => {});
      for (const inner of http.servers)
        inner.on('request', (req, res) => server.emit('request', req, res));
    }
    return server;
  }

  /** The meta app and the console, in one process or the prefork primary. */
  async #startExtras(source?: unknown): Promise<void> {
    const o = this.options;
    if (o.metaAddress !== undefined) {
      const routes = () =>
        o.entries.flatMap((e) => {
          const table = e.kind === 'http' ? (e.app as { routes?: unknown }).routes : undefined;
          return Array.isArray(table) ? [{ name: e.name, routes: table }] : [];
        });
      this.#meta = await startMeta(o.metaAddress, this.#context, o.meta, source, routes);
    }
    if (o.consoleAddress !== undefined) {
      this.#console = await startConsole(o.consoleAddress, { group: this, context: this.#context });
    }
  }

  #preforkHooks(): PreforkHooks {
    return {
      options: this.options,
      context: () => this.#context,
      setArbiter: (arbiter) => {
        this.#arbiter = arbiter;
      },
      startPrimary: async (arbiter, source) => {
        this.#arbiter = arbiter;
        this.#startContext(this.#context);
        await this.#startExtras(source);
        this.#startedAt = Date.now();
        this.#setState('running');
      },
      ready: () => this.#onReady?.(this),
      startWorker: async (context, serve) => {
        this.#startContext(context);
        await this.#startEntries(false);
        for (const [i, l] of this.#listeners.entries()) serve(i, this.#workerServer(l));
        this.#startedAt = Date.now();
        this.#setState('running');
      },
      drainWorker: () => this.#drain(this.options.stopTimeout),
      stopPrimary: () => this.stop(),
    };
  }

  async #drain(timeoutMs: number): Promise<void> {
    for (const l of this.#listeners) {
      l.http?.drain();
      l.tcp?.drain();
    }
    const closed = this.#listeners.map((l) =>
      l.front === undefined
        ? waitClosed(l.sockets)
        : new Promise<void>((resolve) => l.front!.close(() => resolve())),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([Promise.all(closed), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      for (const l of this.#listeners) {
        l.http?.closeAll();
        l.tcp?.closeAll();
        for (const socket of l.sockets) socket.destroy();
      }
      await Promise.all(closed);
    }
  }

  async #stop(timeoutMs: number): Promise<void> {
    this.#setState('stopping');
    try {
      // /readyz turns 503 first, so load balancers stop sending while we drain.
      await this.#meta?.closeApp();
      if (this.#arbiter?.isPrimary) {
        await this.#arbiter.stop(timeoutMs);
      } else {
        await this.#drain(timeoutMs);
      }
      for (const l of this.#listeners) {
        l.gate?.close();
        l.tcp?.close();
        l.custom?.close(() => {});
        for (const server of l.http?.servers ?? []) server.close(() => {});
      }
      this.#admission?.close();
      await Promise.all([this.#meta?.close(), this.#console?.close()]);
    } finally {
      this.#unregister?.();
      this.#unregister = undefined;
      this.#setState('stopped');
      await this.#closeContext();
    }
  }

  async #closeContext(): Promise<void> {
    await this.#ownedContext?.close();
  }
}

function waitClosed(sockets: Set<Socket>): Promise<void> {
  return Promise.all(
    [...sockets].map((s) =>
      s.destroyed ? undefined : new Promise((resolve) => s.once('close', resolve)),
    ),
  ).then(() => undefined);
}

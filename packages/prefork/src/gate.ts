import type net from 'node:net';
import { type Context, getContext } from '@support/context';
import type { Stats } from '@support/faststat';
import { resolveShedOptions, type ShedOptions, shedResolved } from './shed.js';
import { fn, nonNegativeInt, oneOf, plainObject, positiveInt, rejectUnknown } from './validate.js';

/** Options of {@link ConnectionGate}. */
export interface ConnectionGateOptions {
  /** Connections served at once. @default context config maxConcurrentClients */
  maxClients?: number;
  /** Connections waiting (paused) for a slot; one more is shed. @default context config acceptQueueMaxlen */
  queueMax?: number;
  /** How a shed connection is answered. @default 'http' */
  protocol?: 'http' | 'tcp';
  /** Called with each socket the gate sheds (before shedConnection answers it). */
  onShed?: (socket: net.Socket) => void;
  /** Further options for shedConnection (retryAfter, head and linger bounds). @default {} */
  shed?: Omit<ShedOptions, 'protocol' | 'context' | 'onDone' | 'reason'>;
  /** Where counts and queue ages go. @default getContext() at construction */
  context?: Context;
}

const known = {
  maxClients: 0,
  queueMax: 0,
  protocol: 0,
  onShed: 0,
  shed: 0,
  context: 0,
};

/** Stat names ConnectionGate records into its Context. */
export const GATE_STATS = {
  /** `durations`: ms each queued connection waited for its slot. */
  queueAge: 'prefork.gate.queueAge',
  /** `stats`: active connections, sampled at each admission. */
  active: 'prefork.gate.active',
  /** `stats`: queue length, sampled whenever a connection is queued. */
  queued: 'prefork.gate.queued',
} as const;

interface Waiting {
  socket: net.Socket;
  since: number;
  serve: (socket: net.Socket) => void;
  onClose: () => void;
}

/**
 * Connection admission for a single-process server: at most `maxClients`
 * connections served at once, up to `queueMax` more waiting paused (their
 * age recorded), and beyond that shedConnection (503 or clean close) — the
 * same code the arbiter sheds with.
 *
 * ```ts
 * const gate = new ConnectionGate({ maxClients: 512, queueMax: 128, protocol: 'http' });
 * net.createServer({ pauseOnConnect: true }, (s) => gate.handle(s, (s) => httpServer.emit('connection', s)));
 * ```
 */
export class ConnectionGate {
  readonly maxClients: number;
  readonly queueMax: number;
  private readonly context: Context;
  private readonly shedOptions: ReturnType<typeof resolveShedOptions>;
  private readonly onShed: ((socket: net.Socket) => void) | undefined;
  private readonly queue: Waiting[] = [];
  private readonly queueAge: Stats;
  private readonly activeStat: Stats;
  private readonly queuedStat: Stats;
  private activeCount = 0;
  private totals = { served: 0, queued: 0, shed: 0, abandoned: 0 };
  private closed = false;

  constructor(options: ConnectionGateOptions = {}) {
    plainObject(options, 'options');
    rejectUnknown(options, known, 'options');
    this.context = options.context ?? getContext();
    this.maxClients =
      options.maxClients === undefined
        ? this.context.config.maxConcurrentClients
        : positiveInt(options.maxClients, 'options.maxClients');
    this.queueMax =
      options.queueMax === undefined
        ? this.context.config.acceptQueueMaxlen
        : nonNegativeInt(options.queueMax, 'options.queueMax');
    const protocol = oneOf(options.protocol ?? 'http', ['http', 'tcp'], 'options.protocol');
    if (options.onShed !== undefined) fn(options.onShed, 'options.onShed');
    this.onShed = options.onShed;
    const shed = options.shed === undefined ? {} : plainObject(options.shed, 'options.shed');
    this.shedOptions = resolveShedOptions(
      { ...shed, protocol, context: this.context, reason: 'gate-full' },
      'options.shed',
    );
    this.queueAge = this.context.durations.get(GATE_STATS.queueAge);
    this.activeStat = this.context.stats.get(GATE_STATS.active);
    this.queuedStat = this.context.stats.get(GATE_STATS.queued);
  }

  /** Connections being served. */
  get active(): number {
    return this.activeCount;
  }

  /** Connections waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Serves `socket` now if a slot is free, else queues it paused while the
   * queue has room, else sheds it. A served socket holds its slot until it closes.
   */
  handle(socket: net.Socket, serve: (socket: net.Socket) => void): void {
    if (this.closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    if (this.activeCount < this.maxClients) {
      this.start(socket, serve);
      return;
    }
    if (this.queue.length < this.queueMax) {
      socket.pause();
      const waiting: Waiting = {
        socket,
        since: performance.now(),
        serve,
        onClose: () => {
          const i = this.queue.indexOf(waiting);
          if (i >= 0) {
            this.queue.splice(i, 1);
            this.totals.abandoned++;
          }
        },
      };
      socket.once('close', waiting.onClose);
      // A queued socket that errors (reset by its client) just leaves the queue.
      socket.on('error', noop);
      this.queue.push(waiting);
      this.totals.queued++;
      this.queuedStat.add(this.queue.length);
      return;
    }
    this.totals.shed++;
    this.onShed?.(socket);
    shedResolved(socket, this.shedOptions);
  }

  /** Plain JSON for meta and tests. */
  status(): {
    maxClients: number;
    queueMax: number;
    active: number;
    queued: number;
    oldestQueuedMs: number;
    served: number;
    queuedTotal: number;
    shed: number;
    abandoned: number;
  } {
    const oldest = this.queue[0];
    return {
      maxClients: this.maxClients,
      queueMax: this.queueMax,
      active: this.activeCount,
      queued: this.queue.length,
      oldestQueuedMs: oldest ? performance.now() - oldest.since : 0,
      served: this.totals.served,
      queuedTotal: this.totals.queued,
      shed: this.totals.shed,
      abandoned: this.totals.abandoned,
    };
  }

  /** Destroys the queued sockets; served ones are left to their server. Later handle() calls destroy the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiting of this.queue.splice(0)) {
      waiting.socket.removeListener('close', waiting.onClose);
      waiting.socket.destroy();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private start(socket: net.Socket, serve: (socket: net.Socket) => void): void {
    this.activeCount++;
    this.totals.served++;
    this.activeStat.add(this.activeCount);
    socket.once('close', () => {
      this.activeCount--;
      this.next();
    });
    serve(socket);
    if (socket.readableFlowing !== true && !socket.destroyed) socket.resume();
  }

  private next(): void {
    while (!this.closed && this.activeCount < this.maxClients && this.queue.length > 0) {
      const waiting = this.queue.shift() as Waiting;
      waiting.socket.removeListener('close', waiting.onClose);
      waiting.socket.removeListener('error', noop);
      if (waiting.socket.destroyed) {
        this.totals.abandoned++;
        continue;
      }
      this.queueAge.add(performance.now() - waiting.since);
      this.start(waiting.socket, waiting.serve);
    }
  }
}

function noop(): void {}

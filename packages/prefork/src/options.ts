import type net from 'node:net';
import type { Context, ContextConfig } from '@support/context';
import {
  fn,
  fraction,
  invalid,
  ms,
  nonNegativeInt,
  oneOf,
  plainObject,
  positiveInt,
  rejectUnknown,
} from './validate.js';

/** One listening socket the arbiter owns. */
export interface ListenSpec {
  /** TCP port (0 picks a free one; `status().listen` tells which). */
  port?: number;
  /** Address to bind. @default '0.0.0.0' */
  host?: string;
  /** A Unix socket path instead of host/port. */
  path?: string;
  /** An already-listening file descriptor (systemd socket activation sets these through LISTEN_FDS on its own). */
  fd?: number;
  /** How a connection nobody can take is answered: 'http' → 503 with Retry-After, 'tcp' → clean close. @default 'http' */
  protocol?: 'http' | 'tcp';
  /** Listen backlog. @default 511 */
  backlog?: number;
}

/** What `options.worker(w)` receives in each worker process. */
export interface WorkerApi {
  /** This worker's slot, 0 … workers-1 (a replacement keeps its predecessor's id). */
  readonly id: number;
  /** The worker's Context (watchdog and monitor on), also set as the default with setContext(). */
  readonly context: Context;
  /** Connections of `listen[index]` arrive on `server` ('connection' events); any net.Server (http, https, TCP). */
  serve(index: number, server: net.Server): void;
  /** Runs `fn` when the worker drains (stop, cycling, reload), after in-flight work finished and before exit. */
  onDrain(fn: () => unknown): void;
}

export interface ArbiterOptions {
  /** Runs in each worker process: serve the listening sockets there. */
  worker: (w: WorkerApi) => unknown;
  /** Sockets the arbiter owns. @default [] */
  listen?: ListenSpec[];
  /** Worker processes. @default context config numWorkers */
  workers?: number;
  /** Connections (and, for http, requests) served at once per worker. @default context config maxConcurrentClients */
  maxClients?: number;
  /** Accepted connections allowed to wait per worker for a free slot; beyond that they are shed. @default context config acceptQueueMaxlen */
  acceptQueueMaxlen?: number;
  /** Resident memory in bytes past which a worker is cycled gracefully. @default context config workerMemLimit */
  memoryLimit?: number;
  /** Open file descriptors past which a worker is cycled gracefully. @default 90% of the worker's soft RLIMIT_NOFILE */
  fdLimit?: number;
  /** Each worker lowers its limits by a random fraction up to this, so workers do not cycle together. @default 0.1 */
  limitJitter?: number;
  /** Cycle a worker after this many requests (http) or connections (tcp); 0 = never. @default 0 */
  maxRequests?: number;
  /** Fraction of maxRequests subtracted at random per worker. @default 0.1 */
  maxRequestsJitter?: number;
  /** Milliseconds between two heartbeats of a worker. @default 1000 */
  heartbeatInterval?: number;
  /** A worker silent this long (ms) is killed and replaced. @default 10000 */
  heartbeatTimeout?: number;
  /** A worker not ready this long (ms) after its fork is killed and replaced. @default 60000 */
  startTimeout?: number;
  /** Longest a draining worker may take to finish its in-flight work (ms). @default 30000 */
  gracefulTimeout?: number;
  /** Between SIGTERM and SIGKILL when the arbiter kills a worker (ms). @default 2000 */
  killGrace?: number;
  /** Milliseconds between two RSS/fd checks in a worker. @default 1000 */
  checkInterval?: number;
  /** First delay before replacing a worker that died young (ms); doubles per repeated death. @default 100 */
  backoffInitial?: number;
  /** Longest such delay (ms). @default 10000 */
  backoffMax?: number;
  /** A worker slot failing this many times in a row before ready stops the arbiter with SUP_ERR_PREFORK_START_FAILED. @default 5 */
  maxStartFailures?: number;
  /** Workers replaced at once by a rolling reload. @default 1 */
  reloadConcurrency?: number;
  /** How long a hot upgrade waits for the new arbiter's workers (ms). @default startTimeout */
  upgradeTimeout?: number;
  /** 'arbiter': the arbiter accepts and hands each connection to the least-busy worker; 'kernel': workers accept on the shared socket. @default 'arbiter' */
  distribution?: 'arbiter' | 'kernel';
  /** 'prefix': worker output lines reach the arbiter's stdout/stderr prefixed `[worker N pid P]`; 'inherit': unchanged. @default 'prefix' */
  workerOutput?: 'prefix' | 'inherit';
  /** Retry-After (seconds) in the 503 of a shed http connection. @default 1 */
  retryAfter?: number;
  /** Install SIGTERM/SIGINT/SIGHUP/SIGUSR2 handlers while run() is active. @default true */
  signals?: boolean;
  /** Runs in each worker right after the fork, before its Context and `worker`. */
  postFork?: () => unknown;
  /** The arbiter's own Context (stats under `prefork.`, action records, component). @default a new Context without watchdog */
  context?: Context;
}

/** Defaults that do not come from the Context's configuration. */
export const arbiterDefaults = {
  listen: [] as ListenSpec[],
  limitJitter: 0.1,
  maxRequests: 0,
  maxRequestsJitter: 0.1,
  heartbeatInterval: 1000,
  heartbeatTimeout: 10_000,
  startTimeout: 60_000,
  gracefulTimeout: 30_000,
  killGrace: 2000,
  checkInterval: 1000,
  backoffInitial: 100,
  backoffMax: 10_000,
  maxStartFailures: 5,
  reloadConcurrency: 1,
  distribution: 'arbiter' as 'arbiter' | 'kernel',
  workerOutput: 'prefix' as 'prefix' | 'inherit',
  retryAfter: 1,
  signals: true,
};

export interface ResolvedListen {
  port: number | undefined;
  host: string;
  path: string | undefined;
  fd: number | undefined;
  protocol: 'http' | 'tcp';
  backlog: number;
}

export interface ResolvedOptions {
  worker: (w: WorkerApi) => unknown;
  listen: ResolvedListen[];
  workers: number;
  maxClients: number;
  acceptQueueMaxlen: number;
  memoryLimit: number;
  fdLimit: number | undefined;
  limitJitter: number;
  maxRequests: number;
  maxRequestsJitter: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  startTimeout: number;
  gracefulTimeout: number;
  killGrace: number;
  checkInterval: number;
  backoffInitial: number;
  backoffMax: number;
  maxStartFailures: number;
  reloadConcurrency: number;
  upgradeTimeout: number;
  distribution: 'arbiter' | 'kernel';
  workerOutput: 'prefix' | 'inherit';
  retryAfter: number;
  signals: boolean;
  postFork: (() => unknown) | undefined;
  context: Context | undefined;
}

const known: Record<keyof ArbiterOptions, true> = {
  worker: true,
  listen: true,
  workers: true,
  maxClients: true,
  acceptQueueMaxlen: true,
  memoryLimit: true,
  fdLimit: true,
  limitJitter: true,
  maxRequests: true,
  maxRequestsJitter: true,
  heartbeatInterval: true,
  heartbeatTimeout: true,
  startTimeout: true,
  gracefulTimeout: true,
  killGrace: true,
  checkInterval: true,
  backoffInitial: true,
  backoffMax: true,
  maxStartFailures: true,
  reloadConcurrency: true,
  upgradeTimeout: true,
  distribution: true,
  workerOutput: true,
  retryAfter: true,
  signals: true,
  postFork: true,
  context: true,
};

const listenKeys = { port: 1, host: 1, path: 1, fd: 1, protocol: 1, backlog: 1 };

function resolveListen(value: unknown, i: number): ResolvedListen {
  const name = `options.listen[${i}]`;
  const o = plainObject(value, name);
  rejectUnknown(o, listenKeys, name);
  const where = [o.port !== undefined, o.path !== undefined, o.fd !== undefined].filter(Boolean);
  if (where.length !== 1) throw invalid(name, 'needs exactly one of port, path or fd');
  if (
    o.port !== undefined &&
    !(Number.isInteger(o.port) && (o.port as number) >= 0 && (o.port as number) < 65536)
  )
    throw invalid(`${name}.port`, 'must be an integer from 0 to 65535');
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === ''))
    throw invalid(`${name}.host`, 'must be a non-empty string');
  if (o.path !== undefined && (typeof o.path !== 'string' || o.path === ''))
    throw invalid(`${name}.path`, 'must be a non-empty string');
  return {
    port: o.port as number | undefined,
    host: (o.host as string | undefined) ?? '0.0.0.0',
    path: o.path as string | undefined,
    fd: o.fd === undefined ? undefined : nonNegativeInt(o.fd, `${name}.fd`),
    protocol:
      o.protocol === undefined ? 'http' : oneOf(o.protocol, ['http', 'tcp'], `${name}.protocol`),
    backlog: o.backlog === undefined ? 511 : positiveInt(o.backlog, `${name}.backlog`),
  };
}

/** Validates `options`; defaults not given come from `arbiterDefaults` and the Context's `config`. */
export function resolveOptions(options: unknown, config: ContextConfig): ResolvedOptions {
  const given = plainObject(options, 'options');
  rejectUnknown(given, known, 'options');
  const o = { ...arbiterDefaults, ...stripUndefined(given) } as Record<string, unknown>;
  if (!Array.isArray(o.listen)) throw invalid('options.listen', 'must be an array');
  const heartbeatInterval = ms(o.heartbeatInterval, 'options.heartbeatInterval');
  const heartbeatTimeout = ms(o.heartbeatTimeout, 'options.heartbeatTimeout');
  if (heartbeatTimeout <= heartbeatInterval)
    throw invalid('options.heartbeatTimeout', 'must be longer than options.heartbeatInterval');
  const startTimeout = ms(o.startTimeout, 'options.startTimeout');
  const backoffInitial = ms(o.backoffInitial, 'options.backoffInitial');
  const backoffMax = ms(o.backoffMax, 'options.backoffMax');
  if (backoffMax < backoffInitial)
    throw invalid('options.backoffMax', 'must be at least options.backoffInitial');
  const ctx = o.context;
  if (ctx !== undefined && (typeof ctx !== 'object' || ctx === null || !('snapshot' in ctx)))
    throw invalid('options.context', 'must be a Context');
  const retryAfter = nonNegativeInt(o.retryAfter, 'options.retryAfter');
  return {
    worker: fn(o.worker, 'options.worker') as (w: WorkerApi) => unknown,
    listen: o.listen.map(resolveListen),
    workers: positiveInt(o.workers ?? config.numWorkers, 'options.workers'),
    maxClients: positiveInt(o.maxClients ?? config.maxConcurrentClients, 'options.maxClients'),
    acceptQueueMaxlen: nonNegativeInt(
      o.acceptQueueMaxlen ?? config.acceptQueueMaxlen,
      'options.acceptQueueMaxlen',
    ),
    memoryLimit: positiveInt(o.memoryLimit ?? config.workerMemLimit, 'options.memoryLimit'),
    fdLimit: o.fdLimit === undefined ? undefined : positiveInt(o.fdLimit, 'options.fdLimit'),
    limitJitter: fraction(o.limitJitter, 'options.limitJitter'),
    maxRequests: nonNegativeInt(o.maxRequests, 'options.maxRequests'),
    maxRequestsJitter: fraction(o.maxRequestsJitter, 'options.maxRequestsJitter'),
    heartbeatInterval,
    heartbeatTimeout,
    startTimeout,
    gracefulTimeout: ms(o.gracefulTimeout, 'options.gracefulTimeout'),
    killGrace: ms(o.killGrace, 'options.killGrace'),
    checkInterval: ms(o.checkInterval, 'options.checkInterval'),
    backoffInitial,
    backoffMax,
    maxStartFailures: positiveInt(o.maxStartFailures, 'options.maxStartFailures'),
    reloadConcurrency: positiveInt(o.reloadConcurrency, 'options.reloadConcurrency'),
    upgradeTimeout: ms(o.upgradeTimeout ?? startTimeout, 'options.upgradeTimeout'),
    distribution: oneOf(o.distribution, ['arbiter', 'kernel'], 'options.distribution'),
    workerOutput: oneOf(o.workerOutput, ['prefix', 'inherit'], 'options.workerOutput'),
    retryAfter,
    signals:
      typeof o.signals === 'boolean'
        ? o.signals
        : (() => {
            throw invalid('options.signals', 'must be a boolean');
          })(),
    postFork:
      o.postFork === undefined ? undefined : (fn(o.postFork, 'options.postFork') as () => unknown),
    context: ctx as Context | undefined,
  };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

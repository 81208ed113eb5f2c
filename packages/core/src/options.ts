import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { Context, ContextConfig, ContextOptions } from '@support/context';
import { type Address, type ResolvedAddress, resolveAddress } from './address.js';
import { invalid } from './errors.js';
import { type ResolvedTls, resolveTls, type TlsConfig } from './tls-options.js';
import {
  array,
  bool,
  defined,
  fn,
  knownKeys,
  milliseconds,
  nonNegativeInteger,
  plainObject,
  positiveInteger,
  string,
} from './validate.js';

/** Anything with a request listener in `handler` (a @support/web Application, a meta app). */
export interface HasHandler {
  readonly handler: RequestListener;
}

/** An HTTP(S) server of the group. */
export interface HttpEntry {
  /** A request listener `(req, res) => …` (Express app, Koa `callback()`) or a @support/web Application. */
  app: RequestListener | HasHandler;
  address: Address;
  /** Serve HTTPS (or both) on this address. */
  tls?: TlsConfig;
  /**
   * Prefix of this entry's statistics in the Context.
   * @default 'http' for the first HTTP entry, 'http<i>' for the i-th after it
   */
  name?: string;
}

/** What a TCP handler learns about its connection. */
export interface TcpInfo {
  /** The entry's name. */
  name: string;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** Aborted when the group stops: finish the conversation and close the socket. */
  signal: AbortSignal;
  /** The group's Context. */
  context: Context;
}

/** A raw TCP (or TLS) server of the group. */
export interface TcpEntry {
  handler: (socket: Socket, info: TcpInfo) => void;
  address: Address;
  /** Terminate TLS before the handler sees the socket. */
  tls?: TlsConfig;
  /** @default 'tcp' for the first TCP entry, 'tcp<i>' after it */
  name?: string;
}

/** A server the application builds itself; the group listens for it and hands it connections. */
export interface CustomEntry {
  /** Called once per process (once per worker under prefork). */
  server: () => Server;
  address: Address;
  /** @default 'custom' for the first entry, 'custom<i>' after it */
  name?: string;
}

/** Hardening of every HTTP server of the group. */
export interface HttpLimits {
  /**
   * Milliseconds to receive the whole request head (slow-loris protection).
   * @default 20000
   */
  headersTimeout?: number;
  /**
   * Milliseconds to receive the whole request, body included; 0 = no limit.
   * @default 120000
   */
  requestTimeout?: number;
  /**
   * Milliseconds an idle kept-alive connection stays open.
   * @default 5000
   */
  keepAliveTimeout?: number;
  /**
   * Largest request head in bytes.
   * @default 16384
   */
  maxHeaderSize?: number;
  /**
   * Milliseconds a connection may stay silent (no bytes either way) before it is
   * destroyed: slow readers and writers of bodies; 0 = no limit.
   * @default 120000
   */
  socketTimeout?: number;
  /**
   * Requests served on one connection before it is closed; 0 = no limit.
   * @default 0
   */
  maxRequestsPerSocket?: number;
}

/** Per-request admission of the HTTP entries (prefork's HttpAdmission); false turns it off. */
export type AdmissionOptions = Record<string, unknown> | false;

/** Options of the meta app beside `metaAddress` (passed to createMetaApp). */
export type MetaOptions = Record<string, unknown>;

/** Options of `new Group(options)`. */
export interface GroupOptions {
  /** HTTP(S) servers. @default [] */
  http?: HttpEntry[];
  /** Raw TCP servers. @default [] */
  tcp?: TcpEntry[];
  /** Servers the application builds. @default [] */
  custom?: CustomEntry[];
  /**
   * Run the servers in worker processes under a @support/prefork Arbiter. The
   * same script runs in every worker: build the Group the same way there.
   * @default false
   */
  prefork?: boolean;
  /** Worker processes under prefork. @default context config numWorkers */
  numWorkers?: number;
  /** Connections (and, for HTTP, requests) served at once per process. @default context config maxConcurrentClients */
  maxClients?: number;
  /** Connections waiting for a slot beyond maxClients, per process; past it they are shed. @default context config acceptQueueMaxlen */
  acceptQueueMaxlen?: number;
  /** Where the meta app listens. @default undefined (no meta app) */
  metaAddress?: Address;
  /** Options of createMetaApp (token, allowMutations, …). @default {} */
  meta?: MetaOptions;
  /** A REPL with `group` and `context` in scope: a Unix socket (mode 0600) or a loopback port. @default undefined (off) */
  consoleAddress?: Address;
  /** Runs in each worker right after it starts (prefork). */
  postFork?: () => void;
  /** Detach and write a pidfile before starting (used by serveForever()). */
  daemonize?: { pidfile: string; logfile?: string };
  /** The service's Context; by default Group creates one (watchdog and monitor on) and sets it as the default. */
  context?: Context;
  /** Options of the Context Group creates (ignored when `context` is given). */
  contextOptions?: ContextOptions;
  /** Configuration values set on the Context (numWorkers, longBlockThreshold, …). */
  config?: Partial<ContextConfig>;
  /** Hardening of the HTTP servers. */
  limits?: HttpLimits;
  /** Options of the per-request admission (prefork's HttpAdmission); false turns it off. @default {} */
  admission?: AdmissionOptions;
  /**
   * Label of a request in the per-route statistics, read when its response
   * finishes; return undefined for "unrouted".
   * @default Express's `req.route.path`, else a @support/web route set by the app, else undefined
   */
  routeOf?: (req: IncomingMessage, res: ServerResponse) => string | undefined;
  /**
   * What Group records per HTTP request into the Context: 'full' (durations
   * per request, route and status class, in-flight, the connection Markov and
   * the client-address sketch), 'basic' (without the Markov and the sketch),
   * 'off'. See the README for the cost of each.
   * @default 'full'
   */
  instrumentation?: 'full' | 'basic' | 'off';
  /** Milliseconds stop() waits for in-flight work before closing connections (serveForever's signals use it). @default 30000 */
  stopTimeout?: number;
  /** Further options of the Arbiter under prefork (heartbeatTimeout, memoryLimit, …). @default {} */
  arbiter?: Record<string, unknown>;
}

export const limitDefaults = {
  headersTimeout: 20_000,
  requestTimeout: 120_000,
  keepAliveTimeout: 5000,
  maxHeaderSize: 16_384,
  socketTimeout: 120_000,
  maxRequestsPerSocket: 0,
} as const satisfies Required<HttpLimits>;

export const groupDefaults = {
  prefork: false,
  stopTimeout: 30_000,
} as const;

export interface ResolvedHttp {
  kind: 'http';
  name: string;
  listener: RequestListener;
  app: unknown;
  address: ResolvedAddress;
  tls: ResolvedTls | undefined;
}
export interface ResolvedTcp {
  kind: 'tcp';
  name: string;
  handler: TcpEntry['handler'];
  address: ResolvedAddress;
  tls: ResolvedTls | undefined;
}
export interface ResolvedCustom {
  kind: 'custom';
  name: string;
  server: () => Server;
  address: ResolvedAddress;
}
export type ResolvedEntry = ResolvedHttp | ResolvedTcp | ResolvedCustom;

export interface ResolvedGroupOptions {
  entries: ResolvedEntry[];
  prefork: boolean;
  numWorkers: number | undefined;
  maxClients: number | undefined;
  acceptQueueMaxlen: number | undefined;
  metaAddress: ResolvedAddress | undefined;
  meta: MetaOptions;
  consoleAddress: ResolvedAddress | undefined;
  postFork: (() => void) | undefined;
  daemonize: { pidfile: string; logfile?: string } | undefined;
  context: Context | undefined;
  contextOptions: ContextOptions | undefined;
  config: Partial<ContextConfig> | undefined;
  limits: Required<HttpLimits>;
  admission: AdmissionOptions;
  routeOf: GroupOptions['routeOf'];
  instrumentation: 'full' | 'basic' | 'off';
  stopTimeout: number;
  arbiter: Record<string, unknown>;
}

const KEYS = [
  'http',
  'tcp',
  'custom',
  'prefork',
  'numWorkers',
  'maxClients',
  'acceptQueueMaxlen',
  'metaAddress',
  'meta',
  'consoleAddress',
  'postFork',
  'daemonize',
  'context',
  'contextOptions',
  'config',
  'limits',
  'admission',
  'routeOf',
  'instrumentation',
  'stopTimeout',
  'arbiter',
] as const;

function listenerOf(name: string, app: unknown): RequestListener {
  if (typeof app === 'function') return app as RequestListener;
  const handler = (app as Partial<HasHandler> | null)?.handler;
  if (app !== null && typeof app === 'object' && typeof handler === 'function') return handler;
  throw invalid(
    name,
    'must be a request listener (req, res) => … or an object with a handler (a @support/web Application)',
  );
}

function entryName(
  given: unknown,
  option: string,
  base: string,
  index: number,
  taken: Set<string>,
) {
  const name =
    given === undefined ? (index === 0 ? base : `${base}${index}`) : string(option, given);
  if (!/^[A-Za-z0-9_.:-]+$/.test(name))
    throw invalid(option, `must use letters, digits and _ . : - only, got ${JSON.stringify(name)}`);
  if (taken.has(name)) throw invalid(option, `repeats the entry name ${JSON.stringify(name)}`);
  taken.add(name);
  return name;
}

/** Validates Group options and fills in defaults; throws SUP_ERR_CORE_INVALID_OPTION naming the option. */
export function resolveGroupOptions(options: unknown): ResolvedGroupOptions {
  const o = plainObject('options', options ?? {});
  knownKeys('options', o, KEYS);
  const entries: ResolvedEntry[] = [];
  const names = new Set<string>();
  const list = (key: string) => (o[key] === undefined ? [] : array(`options.${key}`, o[key]));
  list('http').forEach((raw, i) => {
    const at = `options.http[${i}]`;
    const e = plainObject(at, raw);
    knownKeys(at, e, ['app', 'address', 'tls', 'name']);
    entries.push({
      kind: 'http',
      name: entryName(e.name, `${at}.name`, 'http', i, names),
      listener: listenerOf(`${at}.app`, e.app),
      app: e.app,
      address: resolveAddress(`${at}.address`, e.address, '0.0.0.0'),
      tls: e.tls === undefined ? undefined : resolveTls(`${at}.tls`, e.tls),
    });
  });
  list('tcp').forEach((raw, i) => {
    const at = `options.tcp[${i}]`;
    const e = plainObject(at, raw);
    knownKeys(at, e, ['handler', 'address', 'tls', 'name']);
    const tls = e.tls === undefined ? undefined : resolveTls(`${at}.tls`, e.tls);
    if (tls?.mode === 'both') throw invalid(`${at}.tls.mode`, "'both' is for HTTP entries only");
    entries.push({
      kind: 'tcp',
      name: entryName(e.name, `${at}.name`, 'tcp', i, names),
      handler: fn(`${at}.handler`, e.handler),
      address: resolveAddress(`${at}.address`, e.address, '0.0.0.0'),
      tls,
    });
  });
  list('custom').forEach((raw, i) => {
    const at = `options.custom[${i}]`;
    const e = plainObject(at, raw);
    knownKeys(at, e, ['server', 'address', 'name']);
    entries.push({
      kind: 'custom',
      name: entryName(e.name, `${at}.name`, 'custom', i, names),
      server: fn(`${at}.server`, e.server),
      address: resolveAddress(`${at}.address`, e.address, '0.0.0.0'),
    });
  });
  const limitsIn = o.limits === undefined ? {} : plainObject('options.limits', o.limits);
  knownKeys('options.limits', limitsIn, Object.keys(limitDefaults));
  const l = { ...limitDefaults, ...defined(limitsIn) };
  const limits: Required<HttpLimits> = {
    headersTimeout: milliseconds('options.limits.headersTimeout', l.headersTimeout),
    requestTimeout: milliseconds('options.limits.requestTimeout', l.requestTimeout),
    keepAliveTimeout: milliseconds('options.limits.keepAliveTimeout', l.keepAliveTimeout),
    maxHeaderSize: positiveInteger('options.limits.maxHeaderSize', l.maxHeaderSize),
    socketTimeout: milliseconds('options.limits.socketTimeout', l.socketTimeout),
    maxRequestsPerSocket: nonNegativeInteger(
      'options.limits.maxRequestsPerSocket',
      l.maxRequestsPerSocket,
    ),
  };
  if (limits.headersTimeout === 0)
    throw invalid('options.limits.headersTimeout', 'must be more than 0');
  if (limits.requestTimeout !== 0 && limits.requestTimeout < limits.headersTimeout) {
    throw invalid(
      'options.limits.requestTimeout',
      'must be 0 or at least options.limits.headersTimeout',
    );
  }
  const g = { ...groupDefaults, ...defined(o) };
  const daemonize =
    o.daemonize === undefined ? undefined : plainObject('options.daemonize', o.daemonize);
  if (daemonize !== undefined) {
    knownKeys('options.daemonize', daemonize, ['pidfile', 'logfile']);
    string('options.daemonize.pidfile', daemonize.pidfile);
    if (daemonize.logfile !== undefined) string('options.daemonize.logfile', daemonize.logfile);
  }
  const context = o.context;
  if (context !== undefined && typeof (context as Context | null)?.snapshot !== 'function') {
    throw invalid('options.context', 'must be a Context from @support/context');
  }
  const admission = o.admission ?? {};
  if (admission !== false) plainObject('options.admission', admission);
  const resolved: ResolvedGroupOptions = {
    entries,
    prefork: bool('options.prefork', g.prefork),
    numWorkers:
      o.numWorkers === undefined ? undefined : positiveInteger('options.numWorkers', o.numWorkers),
    maxClients:
      o.maxClients === undefined ? undefined : positiveInteger('options.maxClients', o.maxClients),
    acceptQueueMaxlen:
      o.acceptQueueMaxlen === undefined
        ? undefined
        : nonNegativeInteger('options.acceptQueueMaxlen', o.acceptQueueMaxlen),
    metaAddress:
      o.metaAddress === undefined
        ? undefined
        : resolveAddress('options.metaAddress', o.metaAddress, '127.0.0.1'),
    meta: o.meta === undefined ? {} : plainObject('options.meta', o.meta),
    consoleAddress:
      o.consoleAddress === undefined
        ? undefined
        : resolveAddress('options.consoleAddress', o.consoleAddress, '127.0.0.1'),
    postFork: o.postFork === undefined ? undefined : fn('options.postFork', o.postFork),
    daemonize: daemonize as ResolvedGroupOptions['daemonize'],
    context: context as Context | undefined,
    contextOptions:
      o.contextOptions === undefined
        ? undefined
        : (plainObject('options.contextOptions', o.contextOptions) as ContextOptions),
    config:
      o.config === undefined
        ? undefined
        : (plainObject('options.config', o.config) as Partial<ContextConfig>),
    limits,
    admission: admission as AdmissionOptions,
    routeOf: o.routeOf === undefined ? undefined : fn('options.routeOf', o.routeOf),
    instrumentation: level(o.instrumentation),
    stopTimeout: milliseconds('options.stopTimeout', g.stopTimeout),
    arbiter: o.arbiter === undefined ? {} : plainObject('options.arbiter', o.arbiter),
  };
  if (entries.length === 0 && resolved.metaAddress === undefined) {
    throw invalid('options', 'must have at least one http, tcp or custom entry, or a metaAddress');
  }
  if (resolved.consoleAddress?.kind === 'tcp' && !isLoopbackHost(resolved.consoleAddress.host)) {
    throw invalid(
      'options.consoleAddress.host',
      'must be a loopback address (127.0.0.1, ::1, localhost): the console runs code',
    );
  }
  return resolved;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function level(value: unknown): 'full' | 'basic' | 'off' {
  if (value === undefined) return 'full';
  if (value === 'full' || value === 'basic' || value === 'off') return value;
  throw invalid('options.instrumentation', "must be 'full', 'basic' or 'off'");
}

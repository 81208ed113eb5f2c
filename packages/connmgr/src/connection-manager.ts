import { once } from 'node:events';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { type Context, getContext, type Logger } from '@support/context';
import { type Markov, nanotime } from '@support/faststat';
import { type Address, addressKey, parseAddress, toAddress } from './address.js';
import { AddressGroup } from './address-group.js';
import { connectOnce } from './connect.js';
import {
  connectChannel,
  connectErrorChannel,
  markdownChannel,
  poolChannel,
} from './diagnostics.js';
import { DnsCache, type DnsCounters, type DnsEntryStatus } from './dns-cache.js';
import {
  ClosedError,
  type ConnectFailure,
  InvalidOptionError,
  MarkedDownError,
  MultiConnectFailureError,
  NameNotFoundError,
  OutOfSocketsError,
} from './errors.js';
import { MonitoredSocket, type SocketOwner } from './monitored-socket.js';
import { type ConnectionManagerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type DiscardReason, type PoolStatus, SocketPool } from './pool.js';
import { ServerModel, type ServerStatus } from './server-model.js';
import { follow } from './signals.js';
import { timeout } from './validate.js';

/** Options of one `getConnection` call. */
export interface GetConnectionOptions {
  /**
   * Connect with TLS: `true` for the manager's `tls` options, or options
   * spread over them. Pooled TLS sockets are kept apart per servername.
   * @default false
   */
  tls?: boolean | TlsConnectionOptions;
  /** Aborts the call (every attempt at once); rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Read deadline (ms) of the socket handed out; `Infinity` disables it.
   * @default options.responseTimeout
   */
  readTimeout?: number;
  /**
   * What the socket is for (`"redis"`, `"http"`…): pooled sockets are only
   * handed out to calls of the same kind.
   * @default 'tcp'
   */
  kind?: string;
  /**
   * Deadline (ms) of each attempt of this call.
   * @default options.connectTimeout, or options.datacenterConnectTimeout for internal addresses
   */
  connectTimeout?: number;
}

/** What `getConnection` accepts: a group or alias name, `host:port`, an Address, or an AddressGroup. */
export type ConnectionTarget = string | Address | AddressGroup;

/** Everything the manager knows, for meta pages. */
export interface ConnectionManagerStatus {
  closed: boolean;
  /** Sockets open: connecting, in use and idle. */
  open: number;
  connecting: number;
  inUse: number;
  idle: number;
  globalMaxConnections: number;
  servers: ServerStatus[];
  pools: PoolStatus[];
  dns: DnsEntryStatus[];
  dnsCounters: DnsCounters;
}

interface CallOptions {
  tls: TlsConnectionOptions | undefined;
  signal: AbortSignal | undefined;
  readTimeout: number;
  kind: string;
  connectTimeout: number | undefined;
}

interface Resolved {
  label: string;
  group: AddressGroup | undefined;
  single: Address | undefined;
}

/** Server models kept for addresses with nothing open; beyond it the oldest idle one is forgotten. */
const MAX_IDLE_MODELS = 4096;

/**
 * Turns a logical name ("payments", "db-r") or an address into an open,
 * monitored socket — promptly, or with a precise error. Names map to
 * tiered, weighted AddressGroups; each attempt has one deadline covering
 * DNS, TCP and TLS; failing addresses are marked down for a while; idle
 * sockets are pooled (LIFO) and reused. Protocol-agnostic: it hands out raw
 * sockets.
 */
export class ConnectionManager implements SocketOwner {
  /** Where stats, socket states, recent traffic and log records go. */
  readonly context: Context;
  private readonly options: ResolvedOptions;
  private readonly dns: DnsCache;
  private readonly pool: SocketPool;
  private readonly models = new Map<string, ServerModel>();
  private readonly live = new Set<MonitoredSocket>();
  private readonly handedOut = new Set<MonitoredSocket>();
  private readonly closer = new AbortController();
  private readonly markov: Markov;
  private readonly logger: Logger;
  private connecting = 0;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  // Held here because the context's component registry holds it weakly.
  private readonly component = { kind: 'connmgr', status: () => this.status() };
  private readonly unregister: () => void;

  constructor(options?: ConnectionManagerOptions) {
    this.options = resolveOptions(options);
    this.context = this.options.context ?? getContext();
    this.dns = new DnsCache(this.options.dns, this.context.durations.get('connmgr.dns'));
    this.pool = new SocketPool(this.options.pool, (sock, reason) => this.discard(sock, reason));
    this.markov = this.context.markov.get('connmgr.socket');
    this.logger = this.context.log.get('connmgr');
    this.unregister = this.context.components.register('connmgr', this.component);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Sockets open now: connecting, in use and idle. */
  get openConnections(): number {
    return this.live.size + this.connecting;
  }

  /**
   * An open socket to `target`: an idle pooled one if there is one, else a
   * new connection. Addresses are tried tier by tier (weighted order within
   * a tier), skipping marked-down ones; each attempt has its own deadline.
   */
  async getConnection(
    target: ConnectionTarget,
    options: GetConnectionOptions = {},
  ): Promise<MonitoredSocket> {
    if (this.isClosed) throw new ClosedError('getConnection');
    const call = this.callOptions(options);
    const { label, group, single } = this.resolve(target);
    call.signal?.throwIfAborted();

    const now = Date.now();
    const order = group !== undefined ? group.order() : [single!];
    const models = order.map((a) => this.model(a));
    const markdownOn = this.options.markdown.enabled;
    const skipped: ConnectFailure[] = [];
    let candidates: ServerModel[] = [];
    for (const m of models) {
      if (markdownOn && m.isMarkedDown(now)) {
        skipped.push({
          address: m.key,
          error: new MarkedDownError(m.key, m.markedDownUntil, m.lastError),
        });
      } else {
        candidates.push(m);
      }
    }
    let probing = false;
    if (candidates.length === 0) {
      // Neither a group nor a lone address is ever skipped entirely (a lone
      // address behaves as a one-member group): probe the address whose
      // markdown ends first, so a server that is back is used at once.
      const probe = models.reduce((a, b) => (b.markedDownUntil < a.markedDownUntil ? b : a));
      candidates = [probe];
      skipped.splice(
        skipped.findIndex((s) => s.address === probe.key),
        1,
      );
      probing = true;
    }

    for (const m of candidates) {
      const sock = this.pool.take(this.poolKey(m, call));
      if (sock !== undefined) {
        this.handOut(sock, call);
        if (poolChannel.hasSubscribers) {
          poolChannel.publish({ address: m.key, kind: call.kind, action: 'reuse' });
        }
        return sock;
      }
    }

    const controller = new AbortController();
    const unfollowCaller = follow(call.signal, controller);
    const unfollowClose = follow(this.closer.signal, controller);
    try {
      const failures: ConnectFailure[] = [...skipped];
      const attempts = Math.max(candidates.length, this.options.maxConnectRetry + 1);
      for (let i = 0; i < attempts; i++) {
        const m = candidates[i % candidates.length]!;
        if (markdownOn && !probing && m.isMarkedDown()) continue;
        this.makeRoom();
        try {
          return await this.connectTo(m, call, group, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) throw controller.signal.reason;
          failures.push({ address: m.key, error });
        }
      }
      // One address (however many tries) fails with its real cause.
      if (new Set(failures.map((f) => f.address)).size === 1) throw failures.at(-1)!.error;
      throw new MultiConnectFailureError(label, failures);
    } finally {
      unfollowCaller();
      unfollowClose();
    }
  }

  /**
   * Gives a socket back for reuse. It is pooled only if it is still open,
   * has nothing unread and no reply pending; otherwise it is destroyed.
   * Returns whether it was pooled. Releasing twice, or a socket that closed,
   * does nothing.
   */
  release(sock: MonitoredSocket): boolean {
    if (!(sock instanceof MonitoredSocket)) {
      throw new InvalidOptionError(
        'release(sock): sock must be a MonitoredSocket from getConnection',
      );
    }
    if (!this.handedOut.delete(sock)) return false;
    const m = this.models.get(sock.peer);
    if (m !== undefined) m.inUse--;
    if (this.isClosed || !sock.reusable) {
      this.discard(sock, this.isClosed ? 'closed' : 'not-reusable');
      return false;
    }
    sock.markPooled();
    const kept = this.pool.put(sock);
    if (kept && poolChannel.hasSubscribers) {
      poolChannel.publish({ address: sock.peer, kind: sock.kind, action: 'release' });
    }
    return kept;
  }

  /** Every address behind `name` (group, alias or `host:port`), in configuration order. */
  getAllAddresses(name: ConnectionTarget): Address[] {
    const { group, single } = this.resolve(name);
    return group !== undefined ? group.addresses() : [single!];
  }

  /** The address a new connection to `name` would try first now (marked-down ones skipped). */
  getAddress(name: ConnectionTarget): Address {
    const { group, single } = this.resolve(name);
    if (group === undefined) return single!;
    const order = group.order();
    if (!this.options.markdown.enabled) return order[0]!;
    const now = Date.now();
    return order.find((a) => !this.models.get(addressKey(a))?.isMarkedDown(now)) ?? order[0]!;
  }

  /** Server models, pools and the DNS cache, as JSON for meta pages. */
  status(): ConnectionManagerStatus {
    const now = Date.now();
    return {
      closed: this.isClosed,
      open: this.openConnections,
      connecting: this.connecting,
      inUse: this.handedOut.size,
      idle: this.pool.size,
      globalMaxConnections: this.options.globalMaxConnections,
      servers: [...this.models.values()].map((m) => m.status(now)),
      pools: this.pool.status(now),
      dns: this.dns.status(),
      dnsCounters: { ...this.dns.counters },
    };
  }

  /**
   * Destroys idle sockets, aborts calls in progress (ClosedError), stops
   * the culling timer and empties the DNS cache. Sockets handed out stay
   * the caller's; releasing them later destroys them. Resolves when the
   * idle sockets have closed.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.isClosed = true;
      this.unregister();
      this.closer.abort(new ClosedError('getConnection'));
      const idle = this.pool.sockets();
      this.pool.clear();
      this.dns.close();
      await Promise.all(
        idle.map((s) => (s.socket.closed ? undefined : once(s.socket, 'close').catch(() => {}))),
      );
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal */
  socketClosed(sock: MonitoredSocket): void {
    this.pool.remove(sock);
    this.forget(sock);
  }

  /** @internal */
  socketError(sock: MonitoredSocket, error: unknown): void {
    this.models.get(sock.peer)?.recordError(error);
  }

  /** @internal */
  unsolicited(sock: MonitoredSocket, what: 'data' | 'end'): void {
    if (this.pool.remove(sock)) this.discard(sock, 'unsolicited', what);
  }

  private async connectTo(
    m: ServerModel,
    call: CallOptions,
    group: AddressGroup | undefined,
    signal: AbortSignal,
  ): Promise<MonitoredSocket> {
    const deadline =
      call.connectTimeout ??
      (m.address.internal ? this.options.datacenterConnectTimeout : this.options.connectTimeout);
    const transitor = this.markov.makeTransitor('connecting');
    const started = nanotime();
    this.connecting++;
    m.active++;
    let connected = false;
    try {
      const { socket, ip } = await connectOnce({
        address: m.address,
        dns: this.dns,
        timeout: deadline,
        signal,
        tls: call.tls,
        noDelay: this.options.noDelay,
        onState: (state) => transitor.transition(state),
      });
      connected = true;
      const ms = m.connectDuration.end(started);
      m.connects++;
      this.succeeded(m);
      const sock = new MonitoredSocket({
        socket,
        address: m.address,
        kind: call.kind,
        tls: call.tls !== undefined,
        poolKey: this.poolKey(m, call),
        ip,
        transitor,
        model: m,
        recent: this.options.recordTraffic ? this.context.recent : undefined,
        owner: this,
      });
      this.live.add(sock);
      this.handOut(sock, call);
      if (connectChannel.hasSubscribers) {
        connectChannel.publish({ address: m.key, ip, kind: call.kind, tls: sock.tls, ms });
      }
      return sock;
    } catch (error) {
      if (!signal.aborted) this.failed(m, error, group);
      if (connectErrorChannel.hasSubscribers) {
        connectErrorChannel.publish({
          address: m.key,
          kind: call.kind,
          error,
          ms: (nanotime() - started) / 1e6,
        });
      }
      throw error;
    } finally {
      this.connecting--;
      if (!connected) {
        m.active--;
        transitor.transition('closed');
        transitor.close();
      }
    }
  }

  private handOut(sock: MonitoredSocket, call: CallOptions): void {
    this.handedOut.add(sock);
    const m = this.models.get(sock.peer);
    if (m !== undefined) m.inUse++;
    sock.markInUse(call.readTimeout);
  }

  /** At the global cap, closes the oldest idle socket; with none idle, OutOfSocketsError. */
  private makeRoom(): void {
    while (this.openConnections >= this.options.globalMaxConnections) {
      if (!this.pool.cullOldest('make-room')) {
        throw new OutOfSocketsError(this.options.globalMaxConnections);
      }
    }
  }

  private discard(sock: MonitoredSocket, reason: DiscardReason, detail?: string): void {
    this.forget(sock);
    sock.socket.destroy();
    if (poolChannel.hasSubscribers) {
      poolChannel.publish({
        address: sock.peer,
        kind: sock.kind,
        action: reason === 'idle' ? 'cull' : 'discard',
        reason: detail === undefined ? reason : `${reason}:${detail}`,
      });
    }
  }

  /** Stops counting a socket as open (once, however it went). */
  private forget(sock: MonitoredSocket): void {
    const m = this.models.get(sock.peer);
    if (this.live.delete(sock) && m !== undefined) m.active--;
    if (this.handedOut.delete(sock) && m !== undefined) m.inUse--;
  }

  private succeeded(m: ServerModel): void {
    m.consecutiveFailures = 0;
    if (m.markedDownUntil !== 0) {
      m.markedDownUntil = 0;
      if (markdownChannel.hasSubscribers) markdownChannel.publish({ address: m.key, until: 0 });
    }
  }

  private failed(m: ServerModel, error: unknown, group: AddressGroup | undefined): void {
    m.failures++;
    m.consecutiveFailures++;
    m.recordError(error);
    const md = this.options.markdown;
    if (!md.enabled || m.consecutiveFailures < md.failures || m.isMarkedDown()) return;
    if (group !== undefined) {
      // Never mark down every address of a group: keep at least one to probe.
      const now = Date.now();
      const othersUp = group
        .addresses()
        .some((a) => addressKey(a) !== m.key && !this.models.get(addressKey(a))?.isMarkedDown(now));
      if (!othersUp) return;
    }
    m.markedDownUntil = Date.now() + md.duration;
    if (markdownChannel.hasSubscribers) {
      markdownChannel.publish({ address: m.key, until: m.markedDownUntil, error });
    }
    if (this.logger.isEnabled('warn')) {
      this.logger
        .warn('MARKDOWN', m.key)
        .failure(
          '{address} marked down for {duration} ms after {failures} failures',
          { address: m.key, duration: md.duration, failures: m.consecutiveFailures },
          error,
        );
    }
  }

  private model(address: Address): ServerModel {
    const key = addressKey(address);
    let m = this.models.get(key);
    if (m === undefined) {
      if (this.models.size >= MAX_IDLE_MODELS) this.forgetIdleModel();
      m = new ServerModel(key, address, this.context);
      this.models.set(key, m);
    }
    return m;
  }

  private forgetIdleModel(): void {
    const now = Date.now();
    for (const [key, m] of this.models) {
      if (m.active === 0 && !m.isMarkedDown(now)) {
        this.models.delete(key);
        return;
      }
    }
  }

  private poolKey(m: ServerModel, call: CallOptions): string {
    const tls = call.tls === undefined ? 'tcp' : `tls:${call.tls.servername ?? m.address.host}`;
    return `${call.kind}|${tls}|${m.key}`;
  }

  private resolve(target: ConnectionTarget): Resolved {
    if (target instanceof AddressGroup)
      return { label: 'AddressGroup', group: target, single: undefined };
    if (typeof target === 'object' && target !== null) {
      const single = toAddress(target, 'target');
      return { label: addressKey(single), group: undefined, single };
    }
    if (typeof target !== 'string' || target.length === 0) {
      throw new InvalidOptionError(
        'target must be a name, "host:port", an Address or an AddressGroup',
      );
    }
    let name = target;
    const seen = new Set<string>();
    for (
      let next = this.options.aliases.get(name);
      next !== undefined;
      next = this.options.aliases.get(name)
    ) {
      if (seen.has(name)) throw new NameNotFoundError(target, 'is part of an alias loop');
      seen.add(name);
      name = next;
    }
    const group = this.options.addressGroups.get(name);
    if (group !== undefined) return { label: name, group, single: undefined };
    const single = parseAddress(name);
    if (single !== undefined) return { label: name, group: undefined, single };
    throw new NameNotFoundError(target);
  }

  private callOptions(o: GetConnectionOptions): CallOptions {
    if (o === null || typeof o !== 'object')
      throw new InvalidOptionError('options must be an object');
    if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
      throw new InvalidOptionError('options.signal must be an AbortSignal');
    }
    const kind = o.kind ?? 'tcp';
    if (typeof kind !== 'string' || kind.length === 0) {
      throw new InvalidOptionError('options.kind must be a non-empty string');
    }
    let tls: TlsConnectionOptions | undefined;
    if (o.tls === true) tls = { ...this.options.tls };
    else if (o.tls !== undefined && o.tls !== false) {
      if (typeof o.tls !== 'object' || o.tls === null) {
        throw new InvalidOptionError('options.tls must be a boolean or TLS options');
      }
      tls = { ...this.options.tls, ...o.tls };
    }
    return {
      tls,
      signal: o.signal,
      kind,
      readTimeout: timeout(
        o.readTimeout ?? this.options.responseTimeout,
        'options.readTimeout',
        true,
      ),
      connectTimeout:
        o.connectTimeout === undefined
          ? undefined
          : timeout(o.connectTimeout, 'options.connectTimeout'),
    };
  }
}

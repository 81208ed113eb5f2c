import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Context } from '@support/context';
import { AddressGroup, type Tier } from './address-group.js';
import {
  type DnsCacheOptions,
  dnsDefaults,
  type ResolvedDnsOptions,
  resolveDnsOptions,
} from './dns-cache.js';
import { InvalidOptionError } from './errors.js';
import { defaultGlobalMaxConnections } from './fd-limit.js';
import { bool, count, knownKeys, object, positive, timeout } from './validate.js';

/** Markdown: failing addresses are skipped for a while. */
export interface MarkdownOptions {
  /**
   * Mark addresses down after repeated failures.
   * @default true
   */
  enabled?: boolean;
  /**
   * How long (ms) an address stays marked down.
   * @default 10_000
   */
  duration?: number;
  /**
   * Consecutive failed attempts that mark an address down.
   * @default maxConnectRetry + 1
   */
  failures?: number;
}

/** Pooling of idle sockets. */
export interface PoolOptions {
  /**
   * Idle sockets older than this (ms) are closed by the culling timer.
   * @default 250
   */
  idleTimeout?: number;
  /**
   * Idle sockets kept per address (and kind); releasing one more closes the oldest idle one.
   * @default 50
   */
  maxPerAddress?: number;
  /**
   * Idle sockets kept in all; releasing one more closes the oldest idle one anywhere.
   * @default 800
   */
  maxSockets?: number;
}

/** Options of {@link ConnectionManager}. */
export interface ConnectionManagerOptions {
  /**
   * Logical names and their addresses: an AddressGroup, or its tiers
   * (`[[ [weight, address], … ], [fallback tier …]]`).
   * @default {}
   */
  addressGroups?: Record<string, AddressGroup | readonly Tier[]>;
  /**
   * Other names for groups (or for other aliases, or for `host:port` addresses).
   * @default {}
   */
  aliases?: Record<string, string>;
  /**
   * TLS options used when a call asks for `tls: true`; a call's own TLS
   * options are spread over them.
   * @default {}
   */
  tls?: TlsConnectionOptions;
  /**
   * Deadline (ms) of one attempt: DNS + TCP connect + TLS handshake.
   * @default 5_000
   */
  connectTimeout?: number;
  /**
   * Deadline (ms) of one attempt to an address marked `internal` (same datacenter).
   * @default 50
   */
  datacenterConnectTimeout?: number;
  /**
   * Read deadline (ms) of handed-out sockets: the longest wait for data after
   * a write before the socket is destroyed with ReadTimeoutError. `Infinity` disables it.
   * @default 30_000
   */
  responseTimeout?: number;
  /**
   * Extra attempts of a call beyond one per address (a lone address is tried
   * `maxConnectRetry + 1` times).
   * @default 1
   */
  maxConnectRetry?: number;
  /** @default { enabled: true, duration: 10_000, failures: maxConnectRetry + 1 } */
  markdown?: MarkdownOptions;
  /** @default { idleTimeout: 250, maxPerAddress: 50, maxSockets: 800 } */
  pool?: PoolOptions;
  /**
   * Most sockets open at once (connecting, in use and idle). At the cap the
   * oldest idle socket is closed to make room; with none idle, OutOfSocketsError.
   * @default 80% of the process's open-file limit
   */
  globalMaxConnections?: number;
  /** @default { staleAfter: 600_000, ttl: 3_600_000, negativeTtl: 2_000, maxEntries: 1_024 } */
  dns?: DnsCacheOptions;
  /**
   * Where stats, socket states, recent traffic and log records go.
   * @default getContext() at construction
   */
  context?: Context;
  /**
   * Disable Nagle's algorithm on new sockets (request/response traffic wants it off).
   * @default true
   */
  noDelay?: boolean;
  /**
   * Record every chunk sent and received in `context.recent` (per address).
   * @default true
   */
  recordTraffic?: boolean;
}

export const connectionManagerDefaults = {
  connectTimeout: 5_000,
  datacenterConnectTimeout: 50,
  responseTimeout: 30_000,
  maxConnectRetry: 1,
  markdown: { enabled: true, duration: 10_000 },
  pool: { idleTimeout: 250, maxPerAddress: 50, maxSockets: 800 },
  dns: dnsDefaults,
  noDelay: true,
  recordTraffic: true,
} as const;

export interface ResolvedOptions {
  addressGroups: Map<string, AddressGroup>;
  aliases: Map<string, string>;
  tls: TlsConnectionOptions;
  connectTimeout: number;
  datacenterConnectTimeout: number;
  responseTimeout: number;
  maxConnectRetry: number;
  markdown: Required<MarkdownOptions>;
  pool: Required<PoolOptions>;
  globalMaxConnections: number;
  dns: ResolvedDnsOptions;
  context: Context | undefined;
  noDelay: boolean;
  recordTraffic: boolean;
}

/** Every key of {@link ConnectionManagerOptions}; any other is refused. */
const OPTION_KEYS: readonly (keyof ConnectionManagerOptions)[] = [
  'addressGroups',
  'aliases',
  'tls',
  'connectTimeout',
  'datacenterConnectTimeout',
  'responseTimeout',
  'maxConnectRetry',
  'markdown',
  'pool',
  'globalMaxConnections',
  'dns',
  'context',
  'noDelay',
  'recordTraffic',
];

export function resolveOptions(options: ConnectionManagerOptions | undefined): ResolvedOptions {
  const o = object(options, 'options') as ConnectionManagerOptions;
  knownKeys(o, OPTION_KEYS, 'options');
  const d = connectionManagerDefaults;
  const connectTimeout = timeout(o.connectTimeout ?? d.connectTimeout, 'options.connectTimeout');
  const datacenterConnectTimeout = timeout(
    o.datacenterConnectTimeout ?? d.datacenterConnectTimeout,
    'options.datacenterConnectTimeout',
  );
  const responseTimeout = timeout(
    o.responseTimeout ?? d.responseTimeout,
    'options.responseTimeout',
    true,
  );
  const maxConnectRetry = count(o.maxConnectRetry ?? d.maxConnectRetry, 'options.maxConnectRetry');

  const md = object(o.markdown, 'options.markdown') as MarkdownOptions;
  knownKeys(md, ['enabled', 'duration', 'failures'], 'options.markdown');
  const markdown: Required<MarkdownOptions> = {
    enabled: bool(md.enabled ?? d.markdown.enabled, 'options.markdown.enabled'),
    duration: timeout(md.duration ?? d.markdown.duration, 'options.markdown.duration'),
    failures: positive(md.failures ?? maxConnectRetry + 1, 'options.markdown.failures'),
  };

  const po = object(o.pool, 'options.pool') as PoolOptions;
  knownKeys(po, ['idleTimeout', 'maxPerAddress', 'maxSockets'], 'options.pool');
  const pool: Required<PoolOptions> = {
    idleTimeout: timeout(po.idleTimeout ?? d.pool.idleTimeout, 'options.pool.idleTimeout'),
    maxPerAddress: count(po.maxPerAddress ?? d.pool.maxPerAddress, 'options.pool.maxPerAddress'),
    maxSockets: count(po.maxSockets ?? d.pool.maxSockets, 'options.pool.maxSockets'),
  };

  const dns = resolveDnsOptions(o.dns, 'options.dns');

  const addressGroups = new Map<string, AddressGroup>();
  for (const [name, value] of Object.entries(object(o.addressGroups, 'options.addressGroups'))) {
    addressGroups.set(
      name,
      value instanceof AddressGroup ? value : new AddressGroup(value as Tier[]),
    );
  }
  const aliases = new Map<string, string>();
  for (const [name, value] of Object.entries(object(o.aliases, 'options.aliases'))) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidOptionError(`options.aliases.${name} must be a non-empty string`);
    }
    aliases.set(name, value);
  }
  for (const name of aliases.keys()) {
    const seen = new Set<string>();
    for (let at: string | undefined = name; at !== undefined; at = aliases.get(at)) {
      if (seen.has(at)) {
        throw new InvalidOptionError(
          `options.aliases.${name} is part of an alias loop (${[...seen, at].join(' -> ')})`,
        );
      }
      seen.add(at);
    }
  }

  const globalMaxConnections = positive(
    o.globalMaxConnections ?? defaultGlobalMaxConnections(),
    'options.globalMaxConnections',
  );
  const tls = object(o.tls, 'options.tls') as TlsConnectionOptions;
  if (o.context !== undefined && (typeof o.context !== 'object' || o.context === null)) {
    throw new InvalidOptionError('options.context must be a Context');
  }
  return {
    addressGroups,
    aliases,
    tls,
    connectTimeout,
    datacenterConnectTimeout,
    responseTimeout,
    maxConnectRetry,
    markdown,
    pool,
    globalMaxConnections,
    dns,
    context: o.context,
    noDelay: bool(o.noDelay ?? d.noDelay, 'options.noDelay'),
    recordTraffic: bool(o.recordTraffic ?? d.recordTraffic, 'options.recordTraffic'),
  };
}

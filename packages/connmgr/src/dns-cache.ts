import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Duration } from '@support/faststat';
import { nanotime } from '@support/faststat';
import { dnsChannel } from './diagnostics.js';
import { DnsLookupError, InvalidOptionError } from './errors.js';
import { follow, raceSignal } from './signals.js';
import { knownKeys, nonNegative, object, positive, timeout } from './validate.js';

/** One resolved address of a host. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Turns a host name into its addresses. `signal` aborts when the cache is
 * closed (a lookup is shared by every caller waiting for it, so no single
 * caller's deadline cancels it).
 */
export type Resolver = (
  host: string,
  options: { signal: AbortSignal },
) => Promise<readonly ResolvedAddress[]>;

/** Options of the DNS cache (`ConnectionManagerOptions.dns`). */
export interface DnsCacheOptions {
  /**
   * Resolves host names.
   * @default `dns.promises.lookup(host, { all: true })` (both address families, in the OS's order)
   */
  resolver?: Resolver;
  /**
   * Past this age (ms) an entry is stale: it is still served, and one
   * background lookup refreshes it (stale-while-revalidate).
   * @default 600_000
   */
  staleAfter?: number;
  /**
   * Past this age (ms) an entry is no longer served, even if refreshing it
   * keeps failing; lookups wait for the resolver.
   * @default 3_600_000
   */
  ttl?: number;
  /**
   * How long (ms) a failed lookup is remembered; lookups in that time fail at
   * once with the same cause instead of hammering the resolver.
   * @default 2_000
   */
  negativeTtl?: number;
  /**
   * Host names kept; the least recently used is dropped beyond this.
   * @default 1_024
   */
  maxEntries?: number;
}

/** Status of one cached host, for meta pages. */
export interface DnsEntryStatus {
  host: string;
  state: 'fresh' | 'stale' | 'negative' | 'expired';
  addresses: string[];
  /** Milliseconds since the entry was written. */
  age: number;
  /** A background refresh is running. */
  refreshing: boolean;
  /** The last failure's message (negative entries, or a failed refresh). */
  error?: string;
}

interface Entry {
  addresses: readonly ResolvedAddress[];
  /** Date.now() when written. */
  at: number;
  /** Set for a negative entry, and for a positive one whose refresh failed. */
  error?: unknown;
  negative: boolean;
}

export const dnsDefaults = {
  staleAfter: 600_000,
  ttl: 3_600_000,
  negativeTtl: 2_000,
  maxEntries: 1_024,
} as const;

export type ResolvedDnsOptions = { -readonly [K in keyof typeof dnsDefaults]: number } & {
  resolver: Resolver;
};

const defaultResolver: Resolver = async (host) => {
  const found = await lookup(host, { all: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Validates DNS cache options (named `name` in messages) and fills in the defaults. */
export function resolveDnsOptions(value: unknown, name = 'options'): ResolvedDnsOptions {
  const o = object(value, name) as DnsCacheOptions;
  knownKeys(o, ['resolver', 'staleAfter', 'ttl', 'negativeTtl', 'maxEntries'], name);
  if (o.resolver !== undefined && typeof o.resolver !== 'function') {
    throw new InvalidOptionError(`${name}.resolver must be a function`);
  }
  const d = dnsDefaults;
  const resolved: ResolvedDnsOptions = {
    resolver: o.resolver ?? defaultResolver,
    staleAfter: timeout(o.staleAfter ?? d.staleAfter, `${name}.staleAfter`),
    ttl: timeout(o.ttl ?? d.ttl, `${name}.ttl`),
    negativeTtl: nonNegative(o.negativeTtl ?? d.negativeTtl, `${name}.negativeTtl`),
    maxEntries: positive(o.maxEntries ?? d.maxEntries, `${name}.maxEntries`),
  };
  if (resolved.ttl < resolved.staleAfter) {
    throw new InvalidOptionError(`${name}.ttl must be at least ${name}.staleAfter`);
  }
  return resolved;
}

/** Counters of the cache, for status. */
export interface DnsCounters {
  hits: number;
  staleHits: number;
  negativeHits: number;
  misses: number;
  coalesced: number;
  refreshes: number;
  failures: number;
}

/**
 * A DNS cache: positive entries are served fresh, then stale while one
 * background lookup refreshes them; failures are remembered briefly;
 * concurrent lookups of one name share a single resolver call. Literal IPs
 * never reach the resolver.
 */
export class DnsCache {
  readonly counters: DnsCounters = {
    hits: 0,
    staleHits: 0,
    negativeHits: 0,
    misses: 0,
    coalesced: 0,
    refreshes: 0,
    failures: 0,
  };
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<readonly ResolvedAddress[]>>();
  private readonly closer = new AbortController();

  private readonly options: ResolvedDnsOptions;

  /** `lookupDuration`, if given, records each resolver call (ms). */
  constructor(
    options: DnsCacheOptions = {},
    private readonly lookupDuration?: Duration,
  ) {
    this.options = resolveDnsOptions(options);
  }

  /** The addresses of `host` (a literal IP is returned as is). `signal` stops waiting, not the lookup. */
  lookup(host: string, signal?: AbortSignal): Promise<readonly ResolvedAddress[]> {
    const family = isIP(host);
    if (family !== 0) return Promise.resolve([{ address: host, family: family as 4 | 6 }]);
    const entry = this.entries.get(host);
    const now = Date.now();
    if (entry !== undefined) {
      const age = now - entry.at;
      if (entry.negative) {
        if (age < this.options.negativeTtl) {
          this.counters.negativeHits++;
          this.publish(host, 'negative');
          return Promise.reject(new DnsLookupError(host, entry.error, true));
        }
      } else if (age < this.options.staleAfter) {
        this.counters.hits++;
        this.touch(host, entry);
        this.publish(host, 'hit');
        return Promise.resolve(entry.addresses);
      } else if (age < this.options.ttl) {
        this.counters.staleHits++;
        this.touch(host, entry);
        this.publish(host, 'stale');
        if (!this.inflight.has(host)) {
          this.counters.refreshes++;
          // The refresh's outcome lands in the cache; nobody waits for it here.
          this.resolve(host).catch(() => {});
        }
        return Promise.resolve(entry.addresses);
      }
    }
    const running = this.inflight.get(host);
    if (running !== undefined) {
      this.counters.coalesced++;
      return raceSignal(running, signal);
    }
    this.counters.misses++;
    this.publish(host, 'miss');
    return raceSignal(this.resolve(host), signal);
  }

  /** Forgets one host, or every host. */
  clear(host?: string): void {
    if (host === undefined) this.entries.clear();
    else this.entries.delete(host);
  }

  status(): DnsEntryStatus[] {
    const now = Date.now();
    return [...this.entries].map(([host, e]) => {
      const age = now - e.at;
      const state = e.negative
        ? age < this.options.negativeTtl
          ? 'negative'
          : 'expired'
        : age < this.options.staleAfter
          ? 'fresh'
          : age < this.options.ttl
            ? 'stale'
            : 'expired';
      const out: DnsEntryStatus = {
        host,
        state,
        addresses: e.addresses.map((a) => a.address),
        age,
        refreshing: this.inflight.has(host),
      };
      if (e.error !== undefined)
        out.error = e.error instanceof Error ? e.error.message : String(e.error);
      return out;
    });
  }

  /** Aborts running lookups (through the resolver's signal) and empties the cache. */
  close(): void {
    this.closer.abort();
    this.entries.clear();
    this.inflight.clear();
  }

  private async lookupOnce(host: string): Promise<readonly ResolvedAddress[]> {
    const controller = new AbortController();
    const unfollow = follow(this.closer.signal, controller);
    try {
      return await this.options.resolver(host, { signal: controller.signal });
    } finally {
      unfollow();
    }
  }

  private resolve(host: string): Promise<readonly ResolvedAddress[]> {
    const started = nanotime();
    const promise = (async () => {
      try {
        // A signal of its own per lookup (following close) keeps the
        // resolver's listeners off the shared close signal.
        const found = await this.lookupOnce(host);
        if (!Array.isArray(found) || found.length === 0) {
          throw Object.assign(new Error(`no addresses for ${host}`), { code: 'ENOTFOUND' });
        }
        const addresses = found.map((a) => ({ address: a.address, family: a.family }));
        if (!this.closer.signal.aborted)
          this.set(host, { addresses, at: Date.now(), negative: false });
        return addresses;
      } catch (error) {
        this.counters.failures++;
        if (!this.closer.signal.aborted) {
          const previous = this.entries.get(host);
          if (
            previous !== undefined &&
            !previous.negative &&
            Date.now() - previous.at < this.options.ttl
          ) {
            // A failed refresh keeps serving the stale entry until its ttl.
            previous.error = error;
          } else {
            this.set(host, { addresses: [], at: Date.now(), negative: true, error });
          }
        }
        throw new DnsLookupError(host, error, false);
      } finally {
        this.lookupDuration?.end(started);
        this.inflight.delete(host);
      }
    })();
    this.inflight.set(host, promise);
    return promise;
  }

  private set(host: string, entry: Entry): void {
    this.entries.delete(host);
    this.entries.set(host, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  private touch(host: string, entry: Entry): void {
    // Re-insert so the Map's order is least recently used first.
    this.entries.delete(host);
    this.entries.set(host, entry);
  }

  private publish(host: string, result: 'hit' | 'stale' | 'miss' | 'negative'): void {
    if (dnsChannel.hasSubscribers) dnsChannel.publish({ host, result });
  }
}

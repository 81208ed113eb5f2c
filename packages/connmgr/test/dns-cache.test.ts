import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DnsCache,
  DnsLookupError,
  InvalidOptionError,
  type ResolvedAddress,
} from '../src/index.js';

// Time is faked: Date.now() drives the cache's ages, so every state change
// below happens at an exact, known moment.
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A resolver whose answers the test hands out one by one. */
function scripted() {
  const calls: string[] = [];
  const pending: Array<{ resolve: (a: ResolvedAddress[]) => void; reject: (e: unknown) => void }> =
    [];
  const resolver = (host: string) => {
    calls.push(host);
    return new Promise<ResolvedAddress[]>((resolve, reject) => pending.push({ resolve, reject }));
  };
  const answer = (address: string) => pending.shift()!.resolve([{ address, family: 4 }]);
  const fail = (code = 'ENOTFOUND') =>
    pending.shift()!.reject(Object.assign(new Error(code), { code }));
  return { calls, resolver, answer, fail, pending };
}

describe('DnsCache', () => {
  it('serves fresh entries, then stale ones while one background refresh runs, then waits after ttl', async () => {
    const r = scripted();
    const cache = new DnsCache({ resolver: r.resolver, staleAfter: 1_000, ttl: 5_000 });
    const first = cache.lookup('svc');
    r.answer('10.0.0.1');
    expect(await first).toEqual([{ address: '10.0.0.1', family: 4 }]);

    vi.setSystemTime(Date.now() + 999);
    expect(await cache.lookup('svc')).toEqual([{ address: '10.0.0.1', family: 4 }]);
    expect(r.calls).toHaveLength(1);

    vi.setSystemTime(Date.now() + 1);
    // Stale: answered from the cache at once, one refresh started.
    expect(await cache.lookup('svc')).toEqual([{ address: '10.0.0.1', family: 4 }]);
    expect(await cache.lookup('svc')).toEqual([{ address: '10.0.0.1', family: 4 }]);
    expect(r.calls).toHaveLength(2);
    expect(cache.status()[0]).toMatchObject({ state: 'stale', refreshing: true });
    r.answer('10.0.0.2');
    await vi.advanceTimersByTimeAsync(0);
    expect(cache.status()[0]).toMatchObject({
      state: 'fresh',
      refreshing: false,
      addresses: ['10.0.0.2'],
    });

    vi.setSystemTime(Date.now() + 5_000);
    // Past ttl: the caller waits for the resolver.
    let settled = false;
    const waiting = cache.lookup('svc').then((v) => {
      settled = true;
      return v;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    r.answer('10.0.0.3');
    expect(await waiting).toEqual([{ address: '10.0.0.3', family: 4 }]);
    expect(cache.counters).toMatchObject({ hits: 1, staleHits: 2, misses: 2, refreshes: 1 });
  });

  it('keeps serving a stale entry when its refresh fails, until ttl', async () => {
    const r = scripted();
    const cache = new DnsCache({ resolver: r.resolver, staleAfter: 1_000, ttl: 5_000 });
    const first = cache.lookup('svc');
    r.answer('10.0.0.1');
    await first;
    vi.setSystemTime(Date.now() + 2_000);
    await cache.lookup('svc');
    r.fail('SERVFAIL');
    await vi.advanceTimersByTimeAsync(0);
    expect(cache.status()[0]).toMatchObject({
      state: 'stale',
      error: 'SERVFAIL',
      addresses: ['10.0.0.1'],
    });
    expect(await cache.lookup('svc')).toEqual([{ address: '10.0.0.1', family: 4 }]);
    r.answer('10.0.0.9');
    await vi.advanceTimersByTimeAsync(0);
    expect(cache.status()[0]).toMatchObject({ state: 'fresh', addresses: ['10.0.0.9'] });
  });

  it('coalesces concurrent lookups into one resolver call', async () => {
    const r = scripted();
    const cache = new DnsCache({ resolver: r.resolver });
    const all = Promise.all([cache.lookup('a'), cache.lookup('a'), cache.lookup('a')]);
    expect(r.calls).toEqual(['a']);
    r.answer('10.0.0.1');
    expect((await all).map((x) => x[0]!.address)).toEqual(['10.0.0.1', '10.0.0.1', '10.0.0.1']);
    expect(cache.counters).toMatchObject({ misses: 1, coalesced: 2 });
  });

  it('remembers a failure for negativeTtl, then asks again', async () => {
    const r = scripted();
    const cache = new DnsCache({ resolver: r.resolver, negativeTtl: 2_000 });
    const first = cache.lookup('gone');
    r.fail();
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsLookupError);
    expect(error).toMatchObject({ cached: false, host: 'gone', cause: { code: 'ENOTFOUND' } });
    vi.setSystemTime(Date.now() + 1_999);
    await expect(cache.lookup('gone')).rejects.toMatchObject({
      cached: true,
      cause: { code: 'ENOTFOUND' },
    });
    expect(r.calls).toHaveLength(1);
    vi.setSystemTime(Date.now() + 1);
    const again = cache.lookup('gone');
    expect(r.calls).toHaveLength(2);
    r.answer('10.0.0.5');
    expect(await again).toEqual([{ address: '10.0.0.5', family: 4 }]);
  });

  it('never asks the resolver about literal IPs, and treats an empty answer as a failure', async () => {
    const r = scripted();
    const cache = new DnsCache({ resolver: r.resolver });
    expect(await cache.lookup('127.0.0.1')).toEqual([{ address: '127.0.0.1', family: 4 }]);
    expect(await cache.lookup('::1')).toEqual([{ address: '::1', family: 6 }]);
    expect(r.calls).toEqual([]);
    const empty = cache.lookup('empty');
    r.pending.shift()!.resolve([]);
    await expect(empty).rejects.toMatchObject({
      code: 'SUP_ERR_CONNMGR_DNS_LOOKUP',
      cause: { code: 'ENOTFOUND' },
    });
  });

  it('stops waiting when the caller aborts, but the lookup still fills the cache', async () => {
    const r = scripted();
    const cache = new DnsCache({ resolver: r.resolver });
    const controller = new AbortController();
    const waiting = cache.lookup('slow', controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    r.answer('10.0.0.7');
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.lookup('slow')).toEqual([{ address: '10.0.0.7', family: 4 }]);
    expect(r.calls).toHaveLength(1);
  });

  it('keeps at most maxEntries names, dropping the least recently used', async () => {
    const cache = new DnsCache({
      maxEntries: 2,
      resolver: async (host) => [{ address: `10.0.0.${host.length}`, family: 4 }],
    });
    await cache.lookup('a');
    await cache.lookup('bb');
    await cache.lookup('a');
    await cache.lookup('ccc');
    expect(cache.status().map((e) => e.host)).toEqual(['a', 'ccc']);
  });

  it('validates its options and aborts running lookups on close', async () => {
    expect(() => new DnsCache({ maxEntries: 0 })).toThrow(InvalidOptionError);
    expect(() => new DnsCache({ ttl: 1, staleAfter: 2 })).toThrow(/options\.ttl/);
    let seen: AbortSignal | undefined;
    const cache = new DnsCache({
      resolver: (_host, { signal }) => {
        seen = signal;
        return new Promise(() => {});
      },
    });
    void cache.lookup('x').catch(() => {});
    cache.close();
    expect(seen?.aborted).toBe(true);
  });
});

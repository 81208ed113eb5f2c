// Failure cases against real sockets on 127.0.0.1: every server here is
// local, every wait is bounded, and every test closes what it opened.
import { once } from 'node:events';
import * as net from 'node:net';
import { BufferedSocket } from '@support/bufsock';
import { describe, expect, it } from 'vitest';
import {
  AddressGroup,
  ConnectTimeoutError,
  MarkedDownError,
  MultiConnectFailureError,
  ReadTimeoutError,
  type ResolvedAddress,
  SupersededError,
  staggeredRetries,
} from '../src/index.js';
import {
  type Blackhole,
  blackhole,
  harness,
  listen,
  refusedPort,
  roundTrip,
  sleep,
} from './helpers.js';

const { cleanups, manager, server } = harness();

async function hole(): Promise<Blackhole> {
  const s = await blackhole();
  cleanups.push(() => s.close());
  return s;
}

async function timed<T>(
  promise: Promise<T>,
): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const t0 = performance.now();
  const [result] = await Promise.allSettled([promise]);
  return { ms: performance.now() - t0, result: result! };
}

function reason(result: PromiseSettledResult<unknown>): unknown {
  if (result.status !== 'rejected') throw new Error('expected a rejection');
  return result.reason;
}

/** Polls `check` until it returns true, for at most `ms`. */
async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('connect failures', () => {
  it('a refused port fails with the real cause, then marks the address down', async () => {
    const port = await refusedPort();
    const address = `127.0.0.1:${port}`;
    const mgr = manager({
      aliases: { alias: address },
      addressGroups: { group: [[[1, address]]] },
    });
    const { ms, result } = await timed(mgr.getConnection(`127.0.0.1:${port}`));
    expect(reason(result)).toMatchObject({ code: 'ECONNREFUSED' });
    expect(ms).toBeLessThan(2_000);
    const [model] = mgr.status().servers;
    expect(model).toMatchObject({
      failures: 2,
      markedDown: true,
      lastError: { code: 'ECONNREFUSED' },
    });

    // A lone address behaves as a one-member group: marked down, it is still
    // probed (never skipped with MarkedDownError), so it is used as soon as
    // its server is back.
    const again = await timed(mgr.getConnection(`127.0.0.1:${port}`));
    expect(reason(again.result)).toMatchObject({ code: 'ECONNREFUSED' });
    const back = net.createServer((s) => s.destroy());
    back.listen(port, '127.0.0.1');
    await once(back, 'listening');
    try {
      for (const target of [`127.0.0.1:${port}`, 'alias', 'group']) {
        const sock = await mgr.getConnection(target);
        expect(sock.peer).toBe(`127.0.0.1:${port}`);
        sock.destroy();
      }
    } finally {
      await new Promise((resolve) => back.close(resolve));
    }
  });

  it('a lone address, an alias to it and a one-member group fail alike', async () => {
    const port = await refusedPort();
    const address = `127.0.0.1:${port}`;
    const mgr = manager({
      aliases: { alias: address },
      addressGroups: { group: [[[1, address]]] },
    });
    for (let round = 0; round < 3; round++) {
      for (const target of [address, 'alias', 'group']) {
        const error = await mgr.getConnection(target).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'ECONNREFUSED' });
        expect(error).not.toBeInstanceOf(MarkedDownError);
      }
    }
    expect(mgr.status().servers[0]).toMatchObject({ markedDown: true });
  });

  it('a listener whose accept queue is full times out within the connect deadline', async () => {
    const dead = await hole();
    const mgr = manager({ connectTimeout: 200, maxConnectRetry: 0 });
    const { ms, result } = await timed(mgr.getConnection(dead.address));
    const error = reason(result) as ConnectTimeoutError;
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(error).toMatchObject({
      code: 'SUP_ERR_CONNMGR_CONNECT_TIMEOUT',
      phase: 'tcp',
      timeout: 200,
    });
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(2_000);
    expect(mgr.status()).toMatchObject({ open: 0, connecting: 0 });
  });

  it('internal addresses use the datacenter deadline', async () => {
    const dead = await hole();
    const mgr = manager({ datacenterConnectTimeout: 60, maxConnectRetry: 0 });
    const group = new AddressGroup([[[1, dead.address]]], { internal: true });
    const { ms, result } = await timed(mgr.getConnection(group));
    expect(reason(result)).toMatchObject({ code: 'SUP_ERR_CONNMGR_CONNECT_TIMEOUT', timeout: 60 });
    expect(ms).toBeLessThan(1_500);
  });

  it('the caller signal aborts an attempt at once and is not counted as a failure', async () => {
    const dead = await hole();
    const mgr = manager({ connectTimeout: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const { ms, result } = await timed(
      mgr.getConnection(dead.address, { signal: controller.signal }),
    );
    expect(reason(result)).toMatchObject({ message: 'caller gave up' });
    expect(ms).toBeLessThan(2_000);
    expect(mgr.status().servers[0]).toMatchObject({ failures: 0, markedDown: false });
  });

  it('falls back to the next tier when the first is refused or blackholed, within the deadline', async () => {
    const live = await server();
    const dead = await hole();
    const refused = await refusedPort();
    const mgr = manager({ connectTimeout: 200, maxConnectRetry: 0 });

    const quick = await timed(
      mgr.getConnection(new AddressGroup([[[1, `127.0.0.1:${refused}`]], [[1, live.address]]])),
    );
    expect(quick.result.status).toBe('fulfilled');
    expect(quick.ms).toBeLessThan(1_000);

    const slow = await timed(
      mgr.getConnection(new AddressGroup([[[1, dead.address]], [[1, live.address]]])),
    );
    expect(slow.result.status).toBe('fulfilled');
    expect(slow.ms).toBeGreaterThanOrEqual(190);
    expect(slow.ms).toBeLessThan(2_000);
    for (const r of [quick.result, slow.result]) {
      if (r.status === 'fulfilled') {
        expect(r.value.peer).toBe(live.address);
        r.value.destroy();
      }
    }
  });

  it('lists every address and its cause when all fail, and never marks down a whole group', async () => {
    const a = await refusedPort();
    const dead = await hole();
    const mgr = manager({ connectTimeout: 100, maxConnectRetry: 0, markdown: { failures: 1 } });
    const group = new AddressGroup([[[1, `127.0.0.1:${a}`]], [[1, dead.address]]]);
    for (let i = 0; i < 3; i++) {
      const error = reason(
        (await timed(mgr.getConnection(group))).result,
      ) as MultiConnectFailureError;
      expect(error).toBeInstanceOf(MultiConnectFailureError);
      expect(error.code).toBe('SUP_ERR_CONNMGR_MULTI_CONNECT_FAILURE');
      expect(error.failures.map((f) => f.address).sort()).toEqual(
        [`127.0.0.1:${a}`, dead.address].sort(),
      );
      const markedDown = mgr.status().servers.filter((s) => s.markedDown);
      expect(markedDown.length).toBeLessThanOrEqual(1);
    }
    const first = reason(
      (await timed(mgr.getConnection(group))).result,
    ) as MultiConnectFailureError;
    const causes = first.failures.map((f) => (f.error as { code?: string }).code).sort();
    // One address is marked down (skipped with MarkedDownError); the other is still probed.
    expect(causes).toEqual(['SUP_ERR_CONNMGR_CONNECT_TIMEOUT', 'SUP_ERR_CONNMGR_MARKED_DOWN']);
  });

  it('marks down a failing member and sends calls to the others until the markdown ends', async () => {
    const live = await server();
    const refused = await refusedPort();
    const mgr = manager({ markdown: { duration: 300 } });
    const group = new AddressGroup([
      [
        [1, `127.0.0.1:${refused}`],
        [1, live.address],
      ],
    ]);
    const peers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const sock = await mgr.getConnection(group);
      peers.push(sock.peer);
      sock.destroy();
    }
    expect(new Set(peers)).toEqual(new Set([live.address]));
    const down = mgr.status().servers.find((s) => s.address === `127.0.0.1:${refused}`)!;
    expect(down.markedDown).toBe(true);
    expect(down.failures).toBe(2);
    for (let i = 0; i < 20; i++) expect(mgr.getAddress(group).port).toBe(live.port);
    expect(mgr.context.log.ring.records()).toMatchObject([
      {
        logger: 'connmgr',
        level: 'warn',
        action: 'MARKDOWN',
        detail: `127.0.0.1:${refused}`,
        outcome: 'failure',
        error: { code: 'ECONNREFUSED' },
      },
    ]);
    await sleep(350);
    expect(mgr.status().servers.find((s) => s.address === `127.0.0.1:${refused}`)!.markedDown).toBe(
      false,
    );
  });
});

describe('read deadline and broken peers', () => {
  it('a server that accepts and never answers trips the read deadline', async () => {
    const silent = await listen();
    cleanups.push(() => silent.close());
    const mgr = manager({ responseTimeout: 150 });
    const sock = await mgr.getConnection(silent.address);
    const bs = new BufferedSocket(sock.socket, { timeout: 10_000 });
    const t0 = performance.now();
    await bs.sendAll('PING\r\n');
    const error = await bs.recvUntil('\r\n').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(error).toMatchObject({ code: 'SUP_ERR_BUFSOCK_CONNECTION_CLOSED' });
    expect((error as Error).cause).toBeInstanceOf(ReadTimeoutError);
    expect((error as Error).cause).toMatchObject({
      code: 'SUP_ERR_CONNMGR_READ_TIMEOUT',
      timeout: 150,
    });
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(2_000);
    expect(mgr.release(sock)).toBe(false);
    expect(mgr.status().servers[0]!.lastError?.code).toBe('SUP_ERR_CONNMGR_READ_TIMEOUT');
  });

  it('the read deadline only runs while a reply is awaited', async () => {
    const echo = await server();
    const mgr = manager({ responseTimeout: 80 });
    const sock = await mgr.getConnection(echo.address);
    expect(await roundTrip(sock.socket, 'a')).toBe('a');
    await sleep(200);
    expect(sock.socket.destroyed).toBe(false);
    expect(await roundTrip(sock.socket, 'b')).toBe('b');
    sock.destroy();
  });

  it('the read deadline counts from each new wait, and a per-call readTimeout replaces the default', async () => {
    // Answers the first request after 100 ms, then never again.
    const once = await listen((socket) => {
      socket.once('data', () => setTimeout(() => socket.write('first'), 100));
    });
    cleanups.push(() => once.close());
    const mgr = manager({ responseTimeout: 60_000 });
    const sock = await mgr.getConnection(once.address, { readTimeout: 150 });
    expect(sock.readTimeout).toBe(150);
    expect(await roundTrip(sock.socket, 'one')).toBe('first');
    const t0 = performance.now();
    const error = await roundTrip(sock.socket, 'two').catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(error).toBeInstanceOf(ReadTimeoutError);
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(2_000);
  });

  it('a server that resets mid-stream surfaces ECONNRESET and the socket is never pooled', async () => {
    const resetting = await listen((socket) => {
      socket.once('data', () => {
        socket.write('partial', () => setTimeout(() => socket.resetAndDestroy(), 20));
      });
    });
    cleanups.push(() => resetting.close());
    const mgr = manager();
    const sock = await mgr.getConnection(resetting.address);
    const bs = new BufferedSocket(sock.socket);
    await bs.sendAll('GET\r\n');
    const error = await bs.recvUntil('\r\n').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SUP_ERR_BUFSOCK_CONNECTION_CLOSED', bytesRead: 7 });
    expect((error as Error).cause).toMatchObject({ code: 'ECONNRESET' });
    await until(() => sock.state === 'closed');
    expect(mgr.release(sock)).toBe(false);
    expect(mgr.status()).toMatchObject({ open: 0, idle: 0 });
    expect(mgr.status().servers[0]!.lastError?.code).toBe('ECONNRESET');
  });

  it('a pooled socket whose peer hangs up is discarded, never handed out', async () => {
    const echo = await server();
    const mgr = manager({ pool: { idleTimeout: 60_000 } });
    const sock = await mgr.getConnection(echo.address);
    expect(await roundTrip(sock.socket, 'x')).toBe('x');
    expect(mgr.release(sock)).toBe(true);
    echo.accepted[0]!.end();
    await until(() => mgr.status().idle === 0);
    expect(sock.socket.destroyed).toBe(true);
    const next = await mgr.getConnection(echo.address);
    expect(next).not.toBe(sock);
    expect(echo.accepted).toHaveLength(2);
    expect(await roundTrip(next.socket, 'y')).toBe('y');
    next.destroy();
  });

  it('a pooled socket that receives unclaimed data is discarded', async () => {
    const echo = await server();
    const mgr = manager({ pool: { idleTimeout: 60_000 } });
    const sock = await mgr.getConnection(echo.address);
    mgr.release(sock);
    echo.accepted[0]!.write('surprise');
    await until(() => mgr.status().idle === 0);
    expect(sock.state).toBe('closed');
    const next = await mgr.getConnection(echo.address);
    expect(next).not.toBe(sock);
    next.destroy();
  });

  it('a socket released with unread bytes is destroyed, not pooled', async () => {
    const echo = await server();
    const mgr = manager();
    const sock = await mgr.getConnection(echo.address);
    const bs = new BufferedSocket(sock.socket);
    await bs.sendAll('two lines\nsecond\n');
    expect((await bs.recvUntil('\n')).toString()).toBe('two lines');
    await until(() => bs.bufferedLength > 0);
    const { buffered } = bs.detach();
    expect(buffered.length).toBeGreaterThan(0);
    sock.socket.unshift(buffered);
    expect(mgr.release(sock)).toBe(false);
    expect(sock.socket.destroyed).toBe(true);
  });
});

describe('slow and failing DNS through an injected resolver', () => {
  function resolverWith(delay: number, fail = false) {
    const calls: string[] = [];
    const resolver = async (host: string): Promise<ResolvedAddress[]> => {
      calls.push(host);
      await sleep(delay);
      if (fail)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return [{ address: '127.0.0.1', family: 4 }];
    };
    return { calls, resolver };
  }

  it('a slow resolver counts against the attempt deadline (phase dns)', async () => {
    const echo = await server();
    const { resolver } = resolverWith(400);
    const mgr = manager({
      connectTimeout: 100,
      maxConnectRetry: 0,
      dns: { resolver },
      markdown: { enabled: false },
    });
    const { ms, result } = await timed(mgr.getConnection(`svc.test:${echo.port}`));
    expect(reason(result)).toMatchObject({ code: 'SUP_ERR_CONNMGR_CONNECT_TIMEOUT', phase: 'dns' });
    expect(ms).toBeLessThan(350);
    // The lookup went on and filled the cache: the next call needs no resolver.
    await sleep(400);
    const sock = await mgr.getConnection(`svc.test:${echo.port}`);
    expect(sock.ip).toBe('127.0.0.1');
    sock.destroy();
  });

  it('a host whose first IP is blackholed still connects to the next within the deadline', async () => {
    // ::1 drops SYNs; 127.0.0.1 on the same port echoes.
    const dead = await blackhole('::1');
    cleanups.push(() => dead.close());
    const live = await listen((socket) => socket.pipe(socket), dead.port);
    cleanups.push(() => live.close());
    const mgr = manager({
      connectTimeout: 400,
      maxConnectRetry: 0,
      dns: {
        resolver: async () => [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ],
      },
    });
    const { ms, result } = await timed(mgr.getConnection(`dual.test:${dead.port}`));
    if (result.status !== 'fulfilled') throw result.reason;
    expect(result.value.ip).toBe('127.0.0.1');
    // ::1 had half the deadline, not all of it.
    expect(ms).toBeGreaterThanOrEqual(180);
    expect(ms).toBeLessThan(390);
    result.value.destroy();
  });

  it('coalesces concurrent lookups, serves stale entries while refreshing, skips literal IPs', async () => {
    const echo = await server();
    const { calls, resolver } = resolverWith(30);
    const mgr = manager({ dns: { resolver, staleAfter: 100, ttl: 10_000 } });
    const socks = await Promise.all(
      Array.from({ length: 5 }, () => mgr.getConnection(`svc.test:${echo.port}`)),
    );
    expect(calls).toEqual(['svc.test']);
    expect(mgr.status().dnsCounters).toMatchObject({ misses: 1, coalesced: 4 });
    for (const s of socks) s.destroy();

    await sleep(120);
    const t0 = performance.now();
    const stale = await mgr.getConnection(`svc.test:${echo.port}`);
    expect(performance.now() - t0).toBeLessThan(25);
    expect(mgr.status().dns[0]).toMatchObject({
      host: 'svc.test',
      state: 'stale',
      refreshing: true,
    });
    await until(() => calls.length === 2 && !mgr.status().dns[0]!.refreshing);
    expect(mgr.status().dns[0]).toMatchObject({ state: 'fresh', addresses: ['127.0.0.1'] });
    stale.destroy();

    const literal = await mgr.getConnection(echo.address);
    expect(calls).toHaveLength(2);
    literal.destroy();
  });

  it('caches failures briefly', async () => {
    const { calls, resolver } = resolverWith(5, true);
    const mgr = manager({ dns: { resolver, negativeTtl: 150 }, markdown: { enabled: false } });
    const first = reason((await timed(mgr.getConnection('gone.test:80'))).result);
    expect(first).toMatchObject({ code: 'SUP_ERR_CONNMGR_DNS_LOOKUP', cached: true });
    // The second attempt of the call was answered by the negative cache.
    expect(calls).toEqual(['gone.test']);
    expect((first as Error).cause).toMatchObject({ code: 'ENOTFOUND' });
    expect(mgr.status().dns[0]).toMatchObject({ state: 'negative' });
    await sleep(170);
    await timed(mgr.getConnection('gone.test:80', { connectTimeout: 1_000 }));
    expect(calls).toEqual(['gone.test', 'gone.test']);
  });
});

describe('hedging', () => {
  it('the second attempt wins when the first stalls, and the first is aborted', async () => {
    // The first connection is accepted and never answered; later ones echo.
    let n = 0;
    const stalling = await listen((socket) => {
      if (n++ > 0) socket.pipe(socket);
    });
    cleanups.push(() => stalling.close());
    const mgr = manager({ responseTimeout: 5_000 });
    const socks: Array<import('../src/index.js').MonitoredSocket> = [];
    const aborted: unknown[] = [];
    const t0 = performance.now();
    const reply = await staggeredRetries(
      async (signal, attempt) => {
        const sock = await mgr.getConnection(stalling.address, { signal });
        socks.push(sock);
        const onAbort = () => {
          aborted.push(signal.reason);
          sock.destroy();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          return `${attempt}:${await roundTrip(sock.socket, 'ping')}`;
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      },
      { delays: [100, 100] },
    );
    const ms = performance.now() - t0;
    expect(reply).toBe('1:ping');
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(2_000);
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toBeInstanceOf(SupersededError);
    await until(() => socks[0]!.state === 'closed');
    expect(stalling.accepted).toHaveLength(2);
    for (const s of socks) s.destroy();
  });
});

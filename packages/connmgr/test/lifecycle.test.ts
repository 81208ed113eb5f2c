import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { programSkipReason } from '@support-tools/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosedError, OutOfSocketsError } from '../src/index.js';
import { blackhole, harness, roundTrip, sleep } from './helpers.js';

const { cleanups, manager, server } = harness();

describe('pool caps and culling', () => {
  it('keeps at most maxPerAddress idle sockets, closing the oldest', async () => {
    const echo = await server();
    const mgr = manager({ pool: { maxPerAddress: 2, idleTimeout: 60_000 } });
    const socks = await Promise.all([1, 2, 3].map(() => mgr.getConnection(echo.address)));
    for (const s of socks) mgr.release(s);
    expect(mgr.status().idle).toBe(2);
    expect(socks[0]!.socket.destroyed).toBe(true);
    expect(await mgr.getConnection(echo.address)).toBe(socks[2]);
    expect(await mgr.getConnection(echo.address)).toBe(socks[1]);
    socks[1]!.destroy();
    socks[2]!.destroy();
  });

  it('keeps at most maxSockets idle sockets overall', async () => {
    const a = await server();
    const b = await server();
    const mgr = manager({ pool: { maxSockets: 1, idleTimeout: 60_000 } });
    const sa = await mgr.getConnection(a.address);
    const sb = await mgr.getConnection(b.address);
    mgr.release(sa);
    mgr.release(sb);
    expect(mgr.status().pools).toMatchObject([{ address: b.address, idle: 1 }]);
    expect(sa.socket.destroyed).toBe(true);
    sb.destroy();
  });

  it('culls sockets idle longer than idleTimeout on an unref’d timer', async () => {
    const echo = await server();
    const mgr = manager({ pool: { idleTimeout: 40 } });
    const sock = await mgr.getConnection(echo.address);
    mgr.release(sock);
    expect(mgr.status().pools[0]).toMatchObject({ idle: 1 });
    const deadline = Date.now() + 2_000;
    while (mgr.status().idle > 0 && Date.now() < deadline) await sleep(10);
    expect(mgr.status().idle).toBe(0);
    expect(sock.socket.destroyed).toBe(true);
    expect(mgr.status().open).toBe(0);
  });

  it('at the global cap closes the oldest idle socket to make room, then fails with OutOfSockets', async () => {
    const a = await server();
    const b = await server();
    const mgr = manager({ globalMaxConnections: 2, pool: { idleTimeout: 60_000 } });
    const first = await mgr.getConnection(a.address);
    const second = await mgr.getConnection(a.address);
    mgr.release(first);
    const third = await mgr.getConnection(b.address);
    expect(first.socket.destroyed).toBe(true);
    const error = await mgr.getConnection(b.address).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutOfSocketsError);
    expect(error).toMatchObject({
      code: 'SUP_ERR_CONNMGR_OUT_OF_SOCKETS',
      limit: 2,
      overloaded: true,
      retryAfter: 1,
    });
    second.destroy();
    third.destroy();
  });
});

describe('close', () => {
  it('destroys idle sockets, aborts calls in progress and refuses new ones', async () => {
    const echo = await server();
    const dead = await blackhole();
    cleanups.push(() => dead.close());
    const mgr = manager({ pool: { idleTimeout: 60_000 } });
    const idle = await mgr.getConnection(echo.address);
    const busy = await mgr.getConnection(echo.address);
    mgr.release(idle);
    const pending = mgr.getConnection(dead.address).catch((e: unknown) => e);
    await sleep(20);
    await mgr.close();
    expect(idle.socket.destroyed).toBe(true);
    expect(await pending).toBeInstanceOf(ClosedError);
    await expect(mgr.getConnection(echo.address)).rejects.toMatchObject({
      code: 'SUP_ERR_CONNMGR_CLOSED',
    });
    // Sockets handed out stay usable; releasing one after close destroys it.
    expect(await roundTrip(busy.socket, 'still here')).toBe('still here');
    expect(mgr.release(busy)).toBe(false);
    expect(busy.socket.destroyed).toBe(true);
    expect(mgr.closed).toBe(true);
  });

  it('leaves no timer or socket of its own behind', async () => {
    const echo = await server();
    const before = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'Timeout' || r === 'TCPSocketWrap');
    const mgr = manager({ pool: { idleTimeout: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const sock = await mgr.getConnection(echo.address);
      await roundTrip(sock.socket, 'x');
      mgr.release(sock);
    }
    await mgr[Symbol.asyncDispose]();
    await sleep(20);
    const after = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'Timeout' || r === 'TCPSocketWrap');
    expect(after.length).toBeLessThanOrEqual(before.length);
  });
});

describe('diagnostics channels', () => {
  it('publishes connect, pool and dns events', async () => {
    const echo = await server();
    const events: Array<[string, unknown]> = [];
    const names = ['connect', 'pool', 'dns'];
    const handlers = names.map((n) => {
      const h = (message: unknown) => events.push([n, message]);
      subscribe(`support:connmgr:${n}`, h);
      return h;
    });
    try {
      const mgr = manager({
        dns: { resolver: async () => [{ address: '127.0.0.1', family: 4 }] },
      });
      const sock = await mgr.getConnection(`echo.test:${echo.port}`);
      mgr.release(sock);
      mgr.release(await mgr.getConnection(`echo.test:${echo.port}`));
    } finally {
      for (const [i, n] of names.entries()) unsubscribe(`support:connmgr:${n}`, handlers[i]!);
    }
    expect(
      events.map(
        ([n, m]) =>
          `${n}:${(m as { action?: string; result?: string }).action ?? (m as { result?: string }).result ?? ''}`,
      ),
    ).toEqual(['dns:miss', 'connect:', 'pool:release', 'pool:reuse', 'pool:release']);
    expect(events[1]![1]).toMatchObject({
      address: `echo.test:${echo.port}`,
      ip: '127.0.0.1',
      kind: 'tcp',
      tls: false,
    });
  });
});

// openssl makes the certificate: required under CI, else skipped saying why.
const noOpenssl = programSkipReason('openssl', 'apt-get install openssl');

describe.skipIf(noOpenssl !== undefined)(
  `TLS${noOpenssl ? ` (skipped: ${noOpenssl})` : ''}`,
  () => {
    let dir: string;
    let key: Buffer;
    let cert: Buffer;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'connmgr-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost',
        ],
        { stdio: 'ignore' },
      );
      key = readFileSync(join(dir, 'key.pem'));
      cert = readFileSync(join(dir, 'cert.pem'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('handshakes with the servername of the address, tracks tls_handshaking and pools per servername', async () => {
      const server = tls.createServer({ key, cert }, (socket) => socket.pipe(socket));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as { port: number }).port;
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));

      const mgr = manager({
        tls: { ca: cert },
        dns: { resolver: async () => [{ address: '127.0.0.1', family: 4 }] },
      });
      const sock = await mgr.getConnection(`localhost:${port}`, { tls: true });
      expect(sock.tls).toBe(true);
      expect(sock.socket).toBeInstanceOf(tls.TLSSocket);
      expect((sock.socket as tls.TLSSocket).authorized).toBe(true);
      expect(await roundTrip(sock.socket, 'secret')).toBe('secret');
      expect(sock.bytesIn).toBe(6);
      const markov = mgr.context.markov.get('connmgr.socket');
      expect(markov.transitionIntervals.get('connected')?.has('tls_handshaking')).toBe(true);
      expect(markov.transitionIntervals.get('tls_handshaking')?.has('in_use')).toBe(true);
      mgr.release(sock);
      const plain = mgr.getConnection(`localhost:${port}`, { connectTimeout: 2_000 });
      expect(await plain).not.toBe(sock);
      expect(await mgr.getConnection(`localhost:${port}`, { tls: true })).toBe(sock);
      (await plain).destroy();
      sock.destroy();
    });

    it('a failed handshake is the real cause', async () => {
      const server = tls.createServer({ key, cert }, (socket) => socket.end());
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as { port: number }).port;
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const mgr = manager({ maxConnectRetry: 0 });
      const error = await mgr
        .getConnection(`127.0.0.1:${port}`, { tls: true })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(mgr.status()).toMatchObject({ open: 0, connecting: 0 });
    });
  },
);

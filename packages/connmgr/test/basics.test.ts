import { BufferedSocket } from '@support/bufsock';
import { describe, expect, it } from 'vitest';
import {
  AddressGroup,
  ConnectionManager,
  InvalidOptionError,
  MonitoredSocket,
  NameNotFoundError,
} from '../src/index.js';
import { echoServer, harness, quietContext, roundTrip } from './helpers.js';

const { cleanups } = harness();

async function setup(options: ConstructorParameters<typeof ConnectionManager>[0] = {}) {
  const server = await echoServer();
  const context = quietContext();
  const mgr = new ConnectionManager({ context, ...options });
  cleanups.push(
    () => context.close(),
    () => server.close(),
    () => mgr.close(),
  );
  return { server, mgr, context };
}

describe('getConnection and release', () => {
  it('connects to host:port, counts traffic and reuses the socket from the pool', async () => {
    const { server, mgr, context } = await setup();
    const sock = await mgr.getConnection(server.address);
    expect(sock).toBeInstanceOf(MonitoredSocket);
    expect(sock.state).toBe('in_use');
    expect(sock.peer).toBe(server.address);
    expect(sock.ip).toBe('127.0.0.1');
    expect(await roundTrip(sock.socket, 'hello')).toBe('hello');
    expect(sock.bytesOut).toBe(5);
    expect(sock.bytesIn).toBe(5);
    expect(context.durations.get(`connmgr.recv.${server.address}`).n).toBe(1);
    expect(context.stats.get(`connmgr.recvSize.${server.address}`).mean).toBe(5);
    expect(context.recent.get(server.address)).toMatchObject([
      { direction: 'out', size: 5, summary: 'hello' },
      { direction: 'in', size: 5, summary: 'hello' },
    ]);

    expect(mgr.release(sock)).toBe(true);
    expect(sock.state).toBe('pooled');
    expect(mgr.status()).toMatchObject({ open: 1, inUse: 0, idle: 1 });
    expect(mgr.release(sock)).toBe(false);

    const again = await mgr.getConnection(server.address);
    expect(again).toBe(sock);
    expect(again.state).toBe('in_use');
    expect(again.uses).toBe(2);
    expect(await roundTrip(again.socket, 'again')).toBe('again');
    expect(server.accepted).toHaveLength(1);
    const markov = context.markov.get('connmgr.socket');
    expect(markov.counts.in_use).toBe(1);
    expect(markov.transitionIntervals.get('in_use')?.has('pooled')).toBe(true);

    again.destroy();
    await new Promise((resolve) => again.socket.once('close', resolve));
    expect(again.state).toBe('closed');
    expect(mgr.status()).toMatchObject({ open: 0, inUse: 0, idle: 0 });
    expect(markov.counts.in_use).toBe(0);
  });

  it('pools per kind: a socket of one kind is not handed to another', async () => {
    const { server, mgr } = await setup();
    const a = await mgr.getConnection(server.address, { kind: 'a' });
    mgr.release(a);
    const b = await mgr.getConnection(server.address, { kind: 'b' });
    expect(b).not.toBe(a);
    expect(await mgr.getConnection(server.address, { kind: 'a' })).toBe(a);
    b.destroy();
    a.destroy();
  });

  it('is LIFO: the most recently released socket is reused first', async () => {
    const { server, mgr } = await setup();
    const first = await mgr.getConnection(server.address);
    const second = await mgr.getConnection(server.address);
    mgr.release(first);
    mgr.release(second);
    expect(await mgr.getConnection(server.address)).toBe(second);
    expect(await mgr.getConnection(server.address)).toBe(first);
    first.destroy();
    second.destroy();
  });
});

describe('with BufferedSocket (the README recipe)', () => {
  it('a detached socket goes back to the pool and works under a new BufferedSocket', async () => {
    const { server, mgr } = await setup();
    for (let i = 0; i < 3; i++) {
      const sock = await mgr.getConnection(server.address, { kind: 'line' });
      const bs = new BufferedSocket(sock.socket, { timeout: 2_000 });
      await bs.sendAll(`line ${i}\r\n`);
      expect((await bs.recvUntil('\r\n')).toString()).toBe(`line ${i}`);
      const { buffered } = bs.detach();
      expect(buffered.length).toBe(0);
      expect(mgr.release(sock)).toBe(true);
    }
    expect(server.accepted).toHaveLength(1);
  });
});

describe('names', () => {
  it('resolves groups, aliases and addresses', async () => {
    const { server, mgr } = await setup({
      addressGroups: { echo: [[[1, '127.0.0.1:1']]] },
      aliases: { e: 'echo' },
    });
    expect(mgr.getAllAddresses('e')).toEqual([{ host: '127.0.0.1', port: 1 }]);
    expect(mgr.getAddress('echo')).toEqual({ host: '127.0.0.1', port: 1 });
    expect(mgr.getAllAddresses('[::1]:80')).toEqual([{ host: '::1', port: 80 }]);
    expect(() => mgr.getAllAddresses('nowhere')).toThrow(NameNotFoundError);
    await expect(mgr.getConnection('nowhere')).rejects.toMatchObject({
      code: 'SUP_ERR_CONNMGR_NAME_NOT_FOUND',
    });
    const sock = await mgr.getConnection(AddressGroup.of(server.address));
    expect(sock.peer).toBe(server.address);
    sock.destroy();
  });

  it('validates options, naming the option', () => {
    expect(() => new ConnectionManager({ connectTimeout: -1 })).toThrow(/options\.connectTimeout/);
    expect(() => new ConnectionManager({ pool: { maxSockets: 1.5 } })).toThrow(
      /options\.pool\.maxSockets/,
    );
    expect(() => new ConnectionManager({ addressGroups: { x: [] } })).toThrow(InvalidOptionError);
    expect(() => new ConnectionManager({ aliases: { x: '' } })).toThrow(/options\.aliases\.x/);
    expect(() => new ConnectionManager({ dns: { ttl: 10, staleAfter: 20 } })).toThrow(
      /options\.dns\.ttl/,
    );
  });

  it('reports alias loops at construction', () => {
    expect(() => new ConnectionManager({ aliases: { a: 'b', b: 'c', c: 'a', d: 'a' } })).toThrow(
      'options.aliases.a is part of an alias loop (a -> b -> c -> a)',
    );
    expect(() => new ConnectionManager({ aliases: { self: 'self' } })).toThrow(InvalidOptionError);
    expect(() => new ConnectionManager({ aliases: { a: 'b', b: '127.0.0.1:1' } })).not.toThrow();
  });

  it('refuses unknown option keys, naming the key and the closest known one', () => {
    const build = (options: unknown) => () =>
      new ConnectionManager(options as ConstructorParameters<typeof ConnectionManager>[0]);
    expect(build({ connectTimout: 1 })).toThrow(
      'options.connectTimout is not an option; did you mean "connectTimeout"?',
    );
    expect(build({ pool: { maxsockets: 1 } })).toThrow(
      'options.pool.maxsockets is not an option; did you mean "maxSockets"?',
    );
    expect(build({ markdown: { enable: false } })).toThrow('did you mean "enabled"?');
    expect(build({ dns: { tll: 5 } })).toThrow(
      'options.dns.tll is not an option; did you mean "ttl"?',
    );
    expect(build({ frobnicate: true })).toThrow(/^options\.frobnicate is not an option$/);
    expect(build({ frobnicate: true })).toThrow(InvalidOptionError);
  });

  it('rejects (not throws) bad call options', async () => {
    const { server, mgr } = await setup();
    const pending = mgr.getConnection(server.address, { readTimeout: 0 });
    await expect(pending).rejects.toThrow(/options\.readTimeout/);
  });
});

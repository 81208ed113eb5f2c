import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { Application, appErrorChannel, Group, Response, route } from '../src/index.js';
import { get, groups, quietContext, sleep } from './helpers.js';

const g = groups();
const hello = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello\n');
};

describe('Group: http entries', () => {
  it('serves a request listener and records the request in its Context', async () => {
    const context = quietContext();
    g.cleanups.push(() => context.close());
    const group = await g.start({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
      context,
    });
    const port = group.port('http');
    const reply = await get(port);
    expect(reply).toMatchObject({ status: 200, body: 'hello\n' });
    await sleep(20);
    const snap = context.snapshot();
    expect(snap.durations['http.request']?.n).toBe(1);
    expect(snap.durations['http.status.2xx']?.n).toBe(1);
    expect(snap.stats['http.inFlight']?.n).toBe(1);
    const markov = snap.markov['http.connections'] as { stateDurations: Record<string, unknown> };
    expect(Object.keys(markov.stateDurations)).toEqual(
      expect.arrayContaining(['new', 'app', 'writing']),
    );
    const clients = snap.sketches['http.clients'] as unknown as { cardinality: number };
    expect(clients.cardinality).toBe(1);
    const component = snap.components.find((c) => c.kind === 'group');
    expect(component?.status).toMatchObject({
      state: 'running',
      entries: [{ name: 'http', requests: 1 }],
    });
  });

  it('serves a @support/web Application (its handler) and labels Express routes', async () => {
    const app = new Application([
      route(
        '/hi/:name',
        ({ params }: { params: Record<string, string> }) => new Response(`hi ${params.name}`),
      ),
    ]);
    const ex = express();
    ex.get('/users/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    const context = quietContext();
    g.cleanups.push(() => context.close());
    const group = await g.start({
      http: [
        { app, address: { host: '127.0.0.1', port: 0 }, name: 'web' },
        { app: ex, address: { host: '127.0.0.1', port: 0 }, name: 'ex' },
      ],
      context,
    });
    expect(await get(group.port('web'), { path: '/hi/bob' })).toMatchObject({
      status: 200,
      body: 'hi bob',
    });
    expect(await get(group.port('ex'), { path: '/users/7' })).toMatchObject({
      status: 200,
      body: '{"id":"7"}',
    });
    expect((await get(group.port('ex'), { path: '/nope' })).status).toBe(404);
    await sleep(20);
    const snap = context.snapshot();
    expect(snap.durations['ex.route.GET /users/:id']?.n).toBe(1);
    expect(snap.durations['ex.status.4xx']?.n).toBe(1);
    expect(snap.durations['web.status.2xx']?.n).toBe(1);
    expect(snap.durations['web.route.GET /hi/:name']?.n).toBe(1);
  });

  it("records less with instrumentation 'basic' and nothing with 'off'", async () => {
    const basic = quietContext();
    const off = quietContext();
    g.cleanups.push(
      () => basic.close(),
      () => off.close(),
    );
    const a = await g.start({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
      context: basic,
      instrumentation: 'basic',
    });
    const b = await g.start({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
      context: off,
      instrumentation: 'off',
    });
    await get(a.port('http'));
    await get(b.port('http'));
    await sleep(20);
    const sa = basic.snapshot();
    expect(sa.durations['http.request']?.n).toBe(1);
    expect(sa.markov['http.connections']).toBeUndefined();
    expect(sa.sketches['http.clients']).toBeUndefined();
    const sb = off.snapshot();
    expect(sb.durations['http.request']).toBeUndefined();
    expect(b.status()).toMatchObject({ entries: [{ requests: 1 }] });
    expect(
      () =>
        new Group({
          http: [{ app: hello, address: { port: 1 } }],
          instrumentation: 'some' as never,
        }),
    ).toThrow(/options\.instrumentation must be 'full', 'basic' or 'off'/);
  });

  it('answers 500 when the app throws, publishes it, and keeps serving', async () => {
    const published: unknown[] = [];
    const onError = (message: unknown) => published.push(message);
    appErrorChannel.subscribe(onError);
    g.cleanups.push(() => {
      appErrorChannel.unsubscribe(onError);
    });
    const group = await g.start({
      http: [
        {
          app: (req, res) => {
            if (req.url === '/boom') throw new Error('boom');
            hello(req, res);
          },
          address: { host: '127.0.0.1', port: 0 },
        },
      ],
    });
    expect((await get(group.port('http'), { path: '/boom' })).status).toBe(500);
    expect(published).toEqual([{ entry: 'http', kind: 'http', error: new Error('boom') }]);
    expect((await get(group.port('http'))).status).toBe(200);
  });

  it('listens on a Unix socket path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-core-'));
    g.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'app.sock');
    await g.start({ http: [{ app: hello, address: { path } }] });
    expect(await get(0, { socketPath: path })).toMatchObject({ status: 200, body: 'hello\n' });
  });

  it('cuts a client that is too slow to send its request head', async () => {
    const group = await g.start({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
      limits: { headersTimeout: 300, requestTimeout: 1000 },
    });
    const socket = connect(group.port('http'), '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    const started = Date.now();
    await once(socket, 'close');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('sheds connections past maxClients and the queue with a 503', async () => {
    const group = await g.start({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
      maxClients: 1,
      acceptQueueMaxlen: 0,
    });
    const port = group.port('http');
    const holder = connect(port, '127.0.0.1');
    await once(holder, 'connect');
    holder.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(holder, 'data');
    const shed = await get(port);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBeDefined();
    holder.destroy();
    await sleep(50);
    expect((await get(port)).status).toBe(200);
  });
});

describe('Group: tcp and custom entries', () => {
  it('runs a TCP handler per connection with info, and aborts info.signal on stop', async () => {
    let aborted = false;
    const group = await g.start({
      tcp: [
        {
          handler: (socket, info) => {
            socket.write(`hello ${info.remoteAddress}\n`);
            info.signal.addEventListener('abort', () => {
              aborted = true;
              socket.end('bye\n');
            });
          },
          address: { host: '127.0.0.1', port: 0 },
        },
      ],
    });
    const socket = connect(group.port('tcp'), '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    await once(socket, 'data');
    expect(data).toBe('hello 127.0.0.1\n');
    await group.stop(2000);
    expect(aborted).toBe(true);
    await sleep(20);
    expect(data).toBe('hello 127.0.0.1\nbye\n');
    socket.destroy();
  });

  it('hands connections to a custom net.Server', async () => {
    const group = await g.start({
      custom: [
        {
          server: () => createServer((socket) => socket.pipe(socket)),
          address: { host: '127.0.0.1', port: 0 },
        },
      ],
    });
    const socket = connect(group.port('custom'), '127.0.0.1');
    socket.setEncoding('utf8');
    socket.write('ping');
    const [echo] = await once(socket, 'data');
    expect(echo).toBe('ping');
    socket.destroy();
  });
});

describe('Group: stop()', () => {
  it('lets in-flight requests finish, closes idle keep-alive connections, refuses new ones', async () => {
    const group = await g.start({
      http: [
        {
          app: (req, res) => {
            if (req.url === '/slow') setTimeout(() => hello(req, res), 300);
            else hello(req, res);
          },
          address: { host: '127.0.0.1', port: 0 },
        },
      ],
    });
    const port = group.port('http');
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    g.cleanups.push(() => agent.destroy());
    const idle = await new Promise<Socket>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket as Socket));
      });
      req.on('error', reject);
      req.end();
    });
    const idleClosed = once(idle, 'close');
    const slow = get(port, { path: '/slow' });
    await sleep(50);
    const stopped = group.stop(5000);
    await idleClosed;
    const reply = await slow;
    expect(reply).toMatchObject({ status: 200, body: 'hello\n' });
    expect(reply.headers.connection).toBe('close');
    await stopped;
    expect(group.state).toBe('stopped');
    await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('destroys what is left after the timeout', async () => {
    const group = await g.start({
      http: [{ app: () => {}, address: { host: '127.0.0.1', port: 0 } }],
    });
    const pending = get(group.port('http')).catch((error: Error) => error);
    await sleep(50);
    const started = Date.now();
    await group.stop(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('Group: options', () => {
  it('rejects unknown keys and bad values, naming the option', () => {
    expect(
      () => new Group({ http: [{ app: hello, address: { port: 1 } }], bogus: 1 } as never),
    ).toThrow(/options\.bogus is not a known option/);
    expect(
      () => new Group({ http: [{ app: hello, address: { port: 1 } }], numWorker: 2 } as never),
    ).toThrow(/options\.numWorker is not a known option; did you mean "numWorkers"\?/);
    expect(() => new Group({ http: [{ app: hello, address: { port: 70000 } }] })).toThrow(
      /options\.http\[0\]\.address\.port must be at most 65535/,
    );
    expect(() => new Group({ http: [{ app: 42 as never, address: { port: 1 } }] })).toThrow(
      /options\.http\[0\]\.app must be a request listener/,
    );
    expect(() => new Group({})).toThrow(/at least one http, tcp or custom entry/);
    expect(
      () =>
        new Group({
          http: [{ app: hello, address: { port: 1 } }],
          consoleAddress: { host: '0.0.0.0', port: 1 },
        }),
    ).toThrow(/consoleAddress\.host must be a loopback address/);
    expect(
      () =>
        new Group({ http: [{ app: hello, address: { port: 1 } }], limits: { maxHeaderSize: 0 } }),
    ).toThrow(/options\.limits\.maxHeaderSize must be a positive integer/);
    try {
      new Group({ tcp: [{ handler: () => {}, address: {} }] });
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('SUP_ERR_CORE_INVALID_OPTION');
    }
  });

  it('rejects start() with SUP_ERR_CORE_LISTEN when the port is taken, and cleans up', async () => {
    const first = await g.start({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
    });
    const port = first.port('http');
    const context = quietContext();
    g.cleanups.push(() => context.close());
    const second = new Group({
      http: [{ app: hello, address: { host: '127.0.0.1', port } }],
      context,
    });
    await expect(second.start()).rejects.toMatchObject({ code: 'SUP_ERR_CORE_LISTEN' });
    expect(second.state).toBe('stopped');
  });

  it('creates its own Context with the monitor and watchdog on, and closes it on stop', async () => {
    const group = new Group({
      http: [{ app: hello, address: { host: '127.0.0.1', port: 0 } }],
      config: { longBlockThreshold: 500 },
    });
    await group.start();
    try {
      expect(group.context.monitoring).toBe(true);
      expect(group.context.watching).toBe(true);
      expect(group.context.config.longBlockThreshold).toBe(500);
    } finally {
      await group.stop(1000);
    }
    expect(group.context.closed).toBe(true);
  });
});

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, type ApplicationOptions, renderText, route } from '../src/index.js';
import { rawConnect, sleep, writeAll } from './raw.js';
import { type Served, serveEach } from './serve.js';

const serveApp = serveEach();

const lingers: unknown[] = [];
const onLinger = (message: unknown) => lingers.push(message);
subscribe('support:web:linger', onLinger);
afterEach(() => {
  lingers.length = 0;
});
process.once('beforeExit', () => unsubscribe('support:web:linger', onLinger));

let gets = 0;

function app(options: ApplicationOptions = {}) {
  return new Application(
    [
      route('POST', '/small', () => 'read', renderText, { bodyLimit: 1000 }),
      route(
        '/get',
        () => {
          gets++;
          return 'got';
        },
        renderText,
      ),
      route(
        'POST',
        '/manual',
        ({ response }) => {
          response.end('by hand');
        },
        undefined,
        { parseBody: false },
      ),
    ],
    options,
  );
}

const head = (method: string, path: string, length: number | 'chunked') =>
  `${method} ${path} HTTP/1.1\r\nHost: x\r\n${
    length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`
  }\r\n\r\n`;

/** When the server side of the next accepted connection closes (performance.now()). */
function nextServerClose(served: Served): Promise<number> {
  return new Promise((resolve) => {
    served.server.once('connection', (socket) => {
      socket.once('close', () => resolve(performance.now()));
    });
  });
}

/**
 * node:http client that streams a body far over the limit and keeps sending
 * until the answer arrives: resolves with the status, or the error's code.
 */
function sendUntilAnswered(
  port: number,
  path: string,
  declared: boolean,
): Promise<number | string> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    let answered = false;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/octet-stream',
        ...(declared
          ? { 'content-length': String(100 * 1024 * 1024) }
          : { 'transfer-encoding': 'chunked' }),
      },
    });
    const pump = () => {
      while (!answered && !req.destroyed && sent < 100 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && !req.destroyed) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      res.on('error', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered) resolve(error.code ?? error.message);
    });
    pump();
  });
}

describe('413 with a lingering close', () => {
  it('reaches a client that keeps sending, every time', async () => {
    const { port } = await serveApp(app().handler);
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 10; i++)
      outcomes.push(await sendUntilAnswered(port, '/small', i % 2 === 0));
    expect(outcomes).toEqual(Array(10).fill(413));
  });

  it('reaches a client that keeps sending and reads only now and then', async () => {
    const { port } = await serveApp(app().handler);
    for (const length of [1024 * 1024 * 1024, 'chunked'] as const) {
      const conn = await rawConnect(port);
      let open = true;
      void conn.closed.then(() => (open = false));
      conn.socket.pause();
      await writeAll(conn.socket, head('POST', '/small', length));
      const chunk =
        length === 'chunked' ? `10000\r\n${'x'.repeat(0x10000)}\r\n` : Buffer.alloc(0x10000, 120);
      const t0 = performance.now();
      // Sends 8 MiB (or for 300 ms) without reading, then reads while it goes
      // on sending, 64 MiB at most.
      let sent = 0;
      while (open && !/\r\n\r\n/.test(conn.received()) && sent < 1024) {
        const ok = await writeAll(conn.socket, chunk).then(
          () => true,
          () => false,
        );
        if (!ok) break;
        sent++;
        if (sent >= 128 || performance.now() - t0 > 300) conn.socket.resume();
      }
      conn.socket.resume();
      await conn.closed;
      expect(conn.received()).toMatch(/^HTTP\/1\.1 413 /);
    }
  });

  it('reaches a client that sends its whole body before reading', async () => {
    const { port } = await serveApp(app().handler);
    const size = 32 * 1024 * 1024;
    const conn = await rawConnect(port);
    conn.socket.pause(); // reads nothing until everything is sent
    await writeAll(conn.socket, head('POST', '/small', size));
    const chunk = Buffer.alloc(1024 * 1024, 120);
    for (let sent = 0; sent < size; sent += chunk.length) await writeAll(conn.socket, chunk);
    conn.socket.resume();
    const { how } = await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(conn.received().toLowerCase()).toContain('connection: close');
    expect(how).toBe('end');
  });

  it('closes after lingeringTimeout without data', async () => {
    const served = await serveApp(app({ lingeringTimeout: 200 }).handler);
    const serverClosed = nextServerClose(served);
    lingers.length = 0;
    const conn = await rawConnect(served.port);
    conn.socket.allowHalfOpen = true; // stays open after the server's FIN, sending nothing
    await writeAll(conn.socket, head('POST', '/small', 10_000_000));
    await writeAll(conn.socket, Buffer.alloc(100_000, 120));
    const t0 = performance.now();
    const at = await serverClosed;
    conn.socket.destroy();
    expect(conn.received()).toMatch(/^HTTP\/1\.1 413 /);
    // (a connection of an earlier test may report its end here too)
    expect(lingers).toContainEqual({
      end: 'idle',
      bytes: expect.any(Number),
      ms: expect.any(Number),
    });
    expect(at - t0).toBeGreaterThanOrEqual(150);
    expect(at - t0).toBeLessThan(5000);
  });

  it('closes after lingeringTime however long the client keeps sending', async () => {
    const served = await serveApp(app({ lingeringTime: 500, lingeringTimeout: 5000 }).handler);
    let at = 0;
    void nextServerClose(served).then((t) => (at = t));
    lingers.length = 0;
    const conn = await rawConnect(served.port);
    conn.socket.allowHalfOpen = true; // goes on sending after the server's FIN
    await writeAll(conn.socket, head('POST', '/small', 1_000_000_000));
    const t0 = performance.now();
    const chunk = Buffer.alloc(16 * 1024, 120);
    while (at === 0 && performance.now() - t0 < 10_000) {
      await writeAll(conn.socket, chunk).catch(() => undefined);
      await sleep(20);
    }
    conn.socket.destroy();
    expect(conn.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(lingers).toContainEqual(expect.objectContaining({ end: 'time' }));
    expect(at - t0).toBeGreaterThanOrEqual(450);
    expect(at - t0).toBeLessThan(5000);
  });
});

describe('bodies nobody reads', () => {
  for (const [what, method, path, status] of [
    ['a 404', 'POST', '/missing', 404],
    ['a 405', 'PUT', '/get', 405],
    ['a GET route', 'GET', '/get', 200],
  ] as const) {
    it(`${what}: past drainLimit the answer says Connection: close and the connection closes`, async () => {
      const served = await serveApp(app({ lingeringTimeout: 200 }).handler);
      const serverClosed = nextServerClose(served);
      const conn = await rawConnect(served.port);
      conn.socket.allowHalfOpen = true; // neither sends more nor closes: the server must
      await writeAll(conn.socket, head(method, path, 100 * 1024 * 1024));
      await writeAll(conn.socket, Buffer.alloc(1024 * 1024, 120));
      const t0 = performance.now();
      const at = await serverClosed;
      conn.socket.destroy();
      expect(conn.received()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(conn.received().toLowerCase()).toContain('connection: close');
      expect(at - t0).toBeLessThan(5000);
    });
  }

  it('keeps the connection alive when the unread body is within drainLimit', async () => {
    const { port } = await serveApp(app({ drainLimit: 4096 }).handler);
    const conn = await rawConnect(port);
    await writeAll(conn.socket, head('POST', '/missing', 3000) + 'x'.repeat(3000));
    await writeAll(conn.socket, 'GET /get HTTP/1.1\r\nHost: x\r\n\r\n');
    const t0 = performance.now();
    while (!conn.received().endsWith('got') && performance.now() - t0 < 5000) await sleep(10);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 404 [\s\S]*HTTP\/1\.1 200 [\s\S]*got$/);
    expect(conn.received().toLowerCase()).not.toContain('connection: close');
    conn.socket.destroy();
  });

  it('stops draining after drainLimit when the endpoint answered by itself', async () => {
    const served = await serveApp(
      app({ drainLimit: 64 * 1024, lingeringTime: 300, lingeringTimeout: 300 }).handler,
    );
    const serverClosed = nextServerClose(served);
    const conn = await rawConnect(served.port);
    await writeAll(conn.socket, head('POST', '/manual', 'chunked'));
    let open = true;
    void conn.closed.then(() => (open = false));
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
    let sent = 0;
    const t0 = performance.now();
    // Up to 32 MiB, slowly: far more than the server may drain.
    while (open && sent < 2048) {
      const ok = await writeAll(conn.socket, chunk).then(
        () => true,
        () => false,
      );
      if (!ok) break;
      sent++;
      await sleep(2);
    }
    const at = await serverClosed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*by hand/);
    expect(sent).toBeLessThan(2048);
    expect(at - t0).toBeLessThan(5000);
  });

  it('answers nothing a client pipelines onto a lingering connection', async () => {
    const served = await serveApp(
      app({ drainLimit: 1024, lingeringTime: 2000, lingeringTimeout: 300 }).handler,
    );
    const serverClosed = nextServerClose(served);
    const conn = await rawConnect(served.port);
    conn.socket.allowHalfOpen = true;
    const chunk = `1000\r\n${'x'.repeat(0x1000)}\r\n`;
    await writeAll(conn.socket, head('POST', '/manual', 'chunked') + chunk);
    const t0 = performance.now();
    while (!conn.received().includes('by hand') && performance.now() - t0 < 5000) await sleep(10);
    gets = 0;
    // Past drainLimit the server ends its side; the body ends and a GET follows.
    await writeAll(conn.socket, `${chunk}${chunk}0\r\n\r\nGET /get HTTP/1.1\r\nHost: x\r\n\r\n`);
    await serverClosed;
    conn.socket.destroy();
    expect(conn.received()).not.toContain('got');
    expect(gets).toBe(0);
  });

  it('closes at once with lingeringTime 0', async () => {
    const served = await serveApp(app({ lingeringTime: 0 }).handler);
    const serverClosed = nextServerClose(served);
    const conn = await rawConnect(served.port);
    conn.socket.allowHalfOpen = true;
    await writeAll(conn.socket, head('POST', '/small', 10_000_000));
    const t0 = performance.now();
    await writeAll(conn.socket, Buffer.alloc(10_000, 120)).catch(() => undefined);
    expect((await serverClosed) - t0).toBeLessThan(1000);
    conn.socket.destroy();
  });
});

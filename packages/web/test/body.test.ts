import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, renderJSON, renderText, route } from '../src/index.js';
import { type Served, serve } from './serve.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** Sends raw bytes and returns everything the server wrote before closing or the timeout. */
function rawExchange(port: number, head: string, body: Buffer | string = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(reply);
    }, 5000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', () => {
      // The server may reset a connection it refuses to read from.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('connect', () => {
      socket.write(head);
      if (body.length > 0) socket.write(body);
    });
    socket.on('timeout', () => reject(new Error('timeout')));
  });
}

function echoApp(bodyLimit = 1024) {
  let endpointCalls = 0;
  const app = new Application(
    [
      route(
        ['POST', 'PUT'],
        '/echo',
        ({ body }) => {
          endpointCalls++;
          return { body: Buffer.isBuffer(body) ? `buffer:${body.toString('hex')}` : body };
        },
        renderJSON,
      ),
      route(
        'POST',
        '/raw',
        ({ request }) =>
          new Promise((resolve) => {
            let n = 0;
            request.on('data', (c: Buffer) => (n += c.length));
            request.on('end', () => resolve(String(n)));
          }),
        renderText,
        { parseBody: false },
      ),
      route('POST', '/small', ({ body }) => String(body), renderText, { bodyLimit: 4 }),
    ],
    { bodyLimit },
  );
  return { app, calls: () => endpointCalls };
}

describe('request bodies', () => {
  it('parses JSON, forms, text and raw bytes', async () => {
    const { app } = echoApp();
    served = await serve(app.handler);
    const post = (body: string | Uint8Array, type?: string) =>
      fetch(`${served?.base}/echo`, {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body,
      }).then((r) => r.json());
    expect(await post('{"a":1}', 'application/json')).toEqual({ body: { a: 1 } });
    expect(await post('{"a":2}', 'application/vnd.api+json; charset=utf-8')).toEqual({
      body: { a: 2 },
    });
    expect(await post('a=1&b=x%20y&a=2', 'application/x-www-form-urlencoded')).toEqual({
      body: { a: ['1', '2'], b: 'x y' },
    });
    expect(await post('héllo', 'text/plain; charset=utf-8')).toEqual({ body: 'héllo' });
    expect(await post(new Uint8Array([0, 255]), 'application/octet-stream')).toEqual({
      body: 'buffer:00ff',
    });
  });

  it('answers 400 for malformed JSON without calling the endpoint', async () => {
    const { app, calls } = echoApp();
    served = await serve(app.handler);
    const res = await fetch(`${served.base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"a":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { status: 400, message: 'malformed JSON body' } });
    expect(calls()).toBe(0);
  });

  it('answers 413 from Content-Length alone, without waiting for the body', async () => {
    const { app, calls } = echoApp(1024);
    served = await serve(app.handler);
    // Declares 10 MB but sends only a few bytes: a reply can only come from the header.
    const reply = await rawExchange(
      served.port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n',
      '{"a":',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(calls()).toBe(0);
  });

  it('answers 413 once a chunked body passes the limit and stops reading', async () => {
    const { app, calls } = echoApp(1024);
    served = await serve(app.handler);
    const chunk = 'x'.repeat(2000);
    const reply = await rawExchange(
      served.port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n',
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(calls()).toBe(0);
  });

  it('applies a per-route limit and lets routes read the body themselves', async () => {
    const { app } = echoApp();
    served = await serve(app.handler);
    const small = await fetch(`${served.base}/small`, { method: 'POST', body: 'hello' });
    expect(small.status).toBe(413);
    await small.arrayBuffer();
    const raw = await fetch(`${served.base}/raw`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(await raw.text()).toBe('5000');
  });

  it('answers 415 for compressed bodies', async () => {
    const { app } = echoApp();
    served = await serve(app.handler);
    const res = await fetch(`${served.base}/echo`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
      body: 'xx',
    });
    expect(res.status).toBe(415);
  });
});

import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { shedConnection } from '../src/index.js';
import { harness } from './load.js';

const h = harness();

/** A server whose every connection is shed with `options`. */
async function shedServer(options: Parameters<typeof shedConnection>[1] = {}) {
  const context = h.context();
  const port = await h.listen(
    net.createServer({ pauseOnConnect: true }, (s) => shedConnection(s, { context, ...options })),
  );
  return { port, context };
}

/** Connects, writes `data` (all of it, before reading anything), then collects what comes back until close. */
async function exchange(
  port: number,
  data: Buffer | string,
  { halfClose = false, trickle }: { halfClose?: boolean; trickle?: string } = {},
): Promise<{ text: string; error: string | undefined; ms: number }> {
  const t0 = performance.now();
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.pause();
  let error: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e.code ?? e.message;
  });
  await once(socket, 'connect');
  if (trickle === undefined) socket.write(data);
  else {
    // The head, then the body in pieces as the server already answers.
    socket.write(trickle);
    for (let at = 0; at < data.length && !socket.destroyed; at += 16_384) {
      await new Promise((r) => setTimeout(r, 3));
      socket.write(Buffer.from(data).subarray(at, at + 16_384));
    }
  }
  if (halfClose) socket.end();
  // Only now start reading.
  await new Promise((r) => setTimeout(r, 50));
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.resume();
  if (!socket.destroyed) await once(socket, 'close');
  return { text: Buffer.concat(chunks).toString('latin1'), error, ms: performance.now() - t0 };
}

describe('shedConnection', () => {
  it('http: answers 503 with Retry-After, Connection: close and Content-Length', async () => {
    const { port, context } = await shedServer({ retryAfter: 3 });
    const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.error).toBeUndefined();
    expect(r.text).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(r.text).toMatch(/\r\nRetry-After: 3\r\n/);
    expect(r.text).toMatch(/\r\nConnection: close\r\n/);
    const length = Number(/\r\nContent-Length: (\d+)\r\n/.exec(r.text)?.[1]);
    expect(r.text.length - r.text.indexOf('\r\n\r\n') - 4).toBe(length);
    expect(context.stats.get('prefork.shed.http').n).toBe(1);
  });

  it('http: the client sees the 503, not a reset, when it sends a large body before reading', async () => {
    const { port } = await shedServer();
    const body = Buffer.alloc(400_000, 'a');
    const head = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`;
    for (let i = 0; i < 3; i++) {
      const r = await exchange(port, body, { trickle: head });
      expect(r.error).toBeUndefined();
      expect(r.text).toMatch(/^HTTP\/1\.1 503 /);
    }
  });

  it('http: a client that half-closes right after its request still gets the 503', async () => {
    const { port } = await shedServer();
    const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { halfClose: true });
    expect(r.error).toBeUndefined();
    expect(r.text).toMatch(/^HTTP\/1\.1 503 /);
  });

  it('http: answers after headTimeout when the head never completes', async () => {
    const { port } = await shedServer({ headTimeout: 200, lingerTimeout: 200 });
    const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 503 /);
    expect(r.ms).toBeGreaterThanOrEqual(190);
    expect(r.ms).toBeLessThan(3000);
  });

  it('tcp: closes cleanly (FIN, no reset) even when the client sent data first', async () => {
    const { port, context } = await shedServer({ protocol: 'tcp' });
    const r = await exchange(port, Buffer.alloc(400_000, 'x'), { trickle: '' });
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('');
    expect(context.stats.get('prefork.shed.tcp').n).toBe(1);
  });

  it('publishes each shed connection on support:prefork:shed-connection', async () => {
    const { subscribe, unsubscribe } = await import('node:diagnostics_channel');
    const seen: unknown[] = [];
    const fn = (m: unknown) => seen.push(m);
    subscribe('support:prefork:shed-connection', fn);
    h.cleanups.push(() => unsubscribe('support:prefork:shed-connection', fn));
    const { port } = await shedServer({ reason: 'test' });
    await exchange(port, 'GET / HTTP/1.1\r\n\r\n');
    expect(seen).toEqual([expect.objectContaining({ protocol: 'http', reason: 'test' })]);
  });

  it('rejects bad options naming them', () => {
    const socket = new net.Socket();
    expect(() => shedConnection(socket, { protocol: 'udp' as 'tcp' })).toThrow(/options\.protocol/);
    expect(() => shedConnection(socket, { headMaxBytes: 0 })).toThrow(/options\.headMaxBytes/);
    expect(() => shedConnection(socket, { nope: 1 } as never)).toThrow(/options\.nope/);
    socket.destroy();
  });
});

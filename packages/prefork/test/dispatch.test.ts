import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adminGet, get, sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

describe('bounded dispatch (real processes)', () => {
  it('queues past maxClients up to acceptQueueMaxlen, then sheds with a 503 at once', async () => {
    const app = await startApp({ workers: 1, maxClients: 2, acceptQueueMaxlen: 1 });
    const busy = [get(app.port, '/slow?ms=1500'), get(app.port, '/slow?ms=1500')];
    await sleep(300);
    const queuedAt = Date.now();
    const queued = get(app.port, '/hello').then((r) => ({ ...r, ms: Date.now() - queuedAt }));
    await sleep(200);
    const t0 = Date.now();
    const shed = await rawRequest(app.port, '/hello');
    const shedMs = Date.now() - t0;
    expect(shed).toMatch(/^HTTP\/1\.1 503 /);
    expect(shed).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(shed).toMatch(/\r\nConnection: close\r\n/i);
    expect(shedMs).toBeLessThan(1000);
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200]);
    const q = await queued;
    expect(q.status).toBe(200);
    // It waited for a slot instead of being shed.
    expect(q.ms).toBeGreaterThan(700);
    const { value: s } = await adminGet(app, '/status');
    expect(s.dispatch).toMatchObject({ shed: 1, queued: 1, queueLength: 0 });
    const { value: snap } = await adminGet(app, '/stats');
    expect(snap.durations['prefork.dispatch.queueAge'].max).toBeGreaterThan(700);
  });
});

/** Sends one request on a raw socket and returns everything the server wrote before closing. */
function rawRequest(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c) => {
      data += c;
    });
    socket.on('close', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
  });
}

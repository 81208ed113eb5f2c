import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { get, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

/** Opens a connection, sends `head` and resolves with what the server answered and when it closed. */
function slowClient(port: number, head: string): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let reply = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      reply += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, ms: Date.now() - t0 }));
    // The bound the test asserts below: a server that never times the client out fails here.
    setTimeout(() => socket.destroy(), 8000).unref();
  });
}

describe('http timeouts on handed-over connections (real processes)', () => {
  it('headersTimeout answers 408 to a client that never finishes its head', async () => {
    const app = await startApp({
      workers: 1,
      httpServer: { headersTimeout: 400, requestTimeout: 800, connectionsCheckingInterval: 100 },
    });
    expect((await get(app.port, '/hello')).status).toBe(200);
    const { reply, ms } = await slowClient(app.port, 'GET /hello HTTP/1.1\r\nHost: x\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    // 400 ms plus one check interval; generous for a loaded machine.
    expect(ms).toBeLessThan(5000);
    // The worker keeps serving.
    expect((await get(app.port, '/hello')).status).toBe(200);
  });
});

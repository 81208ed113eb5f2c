import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function echo(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (d) => resolve(d.toString()));
    socket.write(text);
  });
}

function closed(socket: net.Socket): Promise<{ data: string; ms: number }> {
  const t0 = Date.now();
  let data = '';
  socket.on('data', (d) => {
    data += d;
  });
  return new Promise((resolve) => {
    socket.once('close', () => resolve({ data, ms: Date.now() - t0 }));
    socket.on('error', () => {});
  });
}

describe('raw TCP under the arbiter (real processes)', () => {
  it('serves a TCP server, sheds with a clean close, and drains without cutting a live connection early', async () => {
    const app = await startApp({
      workers: 1,
      tcp: true,
      maxClients: 1,
      acceptQueueMaxlen: 0,
      gracefulTimeout: 1500,
    });
    const port = Number(app.output.find((l) => l.startsWith('READY'))?.match(/ tcp (\d+)$/)?.[1]);
    expect(port).toBeGreaterThan(0);
    const a = await connect(port);
    expect(await echo(a, 'ping')).toBe('ping');
    // The only slot is taken and there is no queue: the next connection is closed at once, no data.
    const b = await connect(port);
    const shed = await closed(b);
    expect(shed.data).toBe('');
    expect(shed.ms).toBeLessThan(2000);
    // Graceful stop: a TCP connection is not "idle" the way a keep-alive HTTP one is;
    // it keeps working during the drain and is closed only at gracefulTimeout.
    const aClosed = closed(a);
    const t0 = Date.now();
    process.kill(app.pid, 'SIGTERM');
    await sleep(700);
    expect(await echo(a, 'still')).toBe('still');
    await aClosed;
    expect(Date.now() - t0).toBeGreaterThan(1200);
    await app.waitFor(/^STOPPED /, 10_000);
  });
});

import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionGate } from '../src/index.js';
import { harness } from './load.js';

const h = harness();

/** Opens a connection, sends `request`, resolves with everything received until close (or `untilText` appears). */
function request(port: number, text: string, untilText?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(text));
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      got += d;
      if (untilText && got.includes(untilText)) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

describe('ConnectionGate', () => {
  it('serves up to maxClients, queues up to queueMax paused, sheds the rest with a 503', async () => {
    const context = h.context();
    const gate = new ConnectionGate({ maxClients: 1, queueMax: 1, protocol: 'http', context });
    h.cleanups.push(() => gate.close());
    const held: http.ServerResponse[] = [];
    const app = http.createServer((_req, res) => void held.push(res));
    h.cleanups.push(() => app.closeAllConnections());
    const port = await h.listen(
      net.createServer({ pauseOnConnect: true }, (s) =>
        gate.handle(s, (socket) => app.emit('connection', socket)),
      ),
    );
    const req = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const first = request(port, req);
    await new Promise((r) => setTimeout(r, 50));
    const second = request(port, req);
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.status()).toMatchObject({ active: 1, queued: 1 });
    const third = await request(port, req);
    expect(third).toMatch(/^HTTP\/1\.1 503 /);
    expect(gate.status().shed).toBe(1);
    // The queued one is served only once the first closes; its wait is recorded.
    expect(held.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    held[0]?.end('one');
    expect(await first).toMatch(/^HTTP\/1\.1 200 /);
    await new Promise((r) => setTimeout(r, 50));
    expect(held.length).toBe(2);
    held[1]?.end('two');
    expect(await second).toMatch(/^HTTP\/1\.1 200 [\s\S]*two$/);
    const age = context.durations.get('prefork.gate.queueAge');
    expect(age.n).toBe(1);
    expect(age.max).toBeGreaterThanOrEqual(90);
    await new Promise((r) => setTimeout(r, 20));
    expect(gate.status()).toMatchObject({ active: 0, queued: 0, served: 2, shed: 1 });
  });

  it('tcp: sheds beyond the queue with a clean close, and a queued client that left frees its slot when served', async () => {
    const context = h.context();
    const gate = new ConnectionGate({ maxClients: 1, queueMax: 1, protocol: 'tcp', context });
    h.cleanups.push(() => gate.close());
    const echo = (s: net.Socket) => s.pipe(s);
    const port = await h.listen(
      net.createServer({ pauseOnConnect: true }, (s) => gate.handle(s, echo)),
    );
    const a = net.connect({ port, host: '127.0.0.1' });
    h.cleanups.push(() => a.destroy());
    await once(a, 'connect');
    a.write('ping');
    await once(a, 'data');
    const b = net.connect({ port, host: '127.0.0.1' });
    await once(b, 'connect');
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.queued).toBe(1);
    const c = await request(port, 'hello');
    expect(c).toBe(''); // closed without an answer, and without a reset (request() rejects on error)
    // A paused socket reads nothing, so a queued client that leaves is noticed
    // when its turn comes: it reads EOF at once and frees the slot.
    b.destroy();
    a.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(gate.status()).toMatchObject({ active: 0, queued: 0, served: 2, shed: 1 });
    expect(context.stats.get('prefork.shed.tcp').n).toBe(1);
  });

  it('close() destroys queued sockets and rejects bad options naming them', async () => {
    expect(() => new ConnectionGate({ maxClients: 0 })).toThrow(/options\.maxClients/);
    expect(() => new ConnectionGate({ protocol: 'udp' as 'tcp' })).toThrow(/options\.protocol/);
    expect(() => new ConnectionGate({ extra: true } as never)).toThrow(/options\.extra/);
    const context = h.context();
    const gate = new ConnectionGate({ maxClients: 1, queueMax: 4, context });
    const port = await h.listen(
      net.createServer({ pauseOnConnect: true }, (s) => gate.handle(s, () => {})),
    );
    const a = net.connect({ port, host: '127.0.0.1' });
    h.cleanups.push(() => a.destroy());
    const b = net.connect({ port, host: '127.0.0.1' });
    b.on('error', () => {});
    await once(b, 'connect');
    await new Promise((r) => setTimeout(r, 50));
    expect(gate.queued).toBe(1);
    gate.close();
    await once(b, 'close');
    expect(gate.queued).toBe(0);
  });
});

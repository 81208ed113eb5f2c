import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionGate, codes, HttpAdmission } from '../src/index.js';
import { burn, harness, load } from './load.js';

const h = harness();

function hello(cost: number) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    burn(cost);
    res.end('hello\n');
  };
}

describe('HttpAdmission under load (one process, real sockets)', () => {
  it('sheds a 3× overload on kept-alive connections with fast 503s and bounded served latency', async () => {
    const context = h.context();
    const admission = new HttpAdmission({ context });
    h.cleanups.push(() => admission.close());
    const events: unknown[] = [];
    const onShed = (m: unknown) => events.length < 5 && events.push(m);
    subscribe('support:prefork:admission-shed', onShed);
    h.cleanups.push(() => unsubscribe('support:prefork:admission-shed', onShed));
    const port = await h.listen(http.createServer(admission.wrap(hello(2))));
    // 2 ms per request: capacity about 500/s; offer 1500/s for 3 s.
    const r = await load({ mode: 'open', port, rate: 1500, duration: 3000, connections: 8 });
    expect(r.shed.n).toBeGreaterThan(r.sent / 3);
    expect(r.timeouts).toBe(0);
    expect(r.lost).toBe(0);
    // Generous bounds (the machine is shared); the bench records the precise figures.
    expect(r.shed.p50).toBeLessThan(150);
    expect(r.served.p90).toBeLessThan(300);
    const s = admission.status();
    expect(s.shed).toBe(r.shed.n);
    expect(s.episodes).toBeGreaterThanOrEqual(1);
    expect(s.inFlight).toBe(0);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ reason: 'delay' });
    const snap = context.snapshot() as unknown as {
      stats: Record<string, { n: number }>;
      durations: Record<string, { n: number }>;
    };
    expect(snap.stats['prefork.admission.shed']?.n).toBeGreaterThan(0);
    expect(snap.durations['prefork.admission.queueDelay']?.n).toBeGreaterThan(0);
  });

  it('sheds an overload of new connections (one request each) behind a ConnectionGate', async () => {
    const context = h.context();
    const admission = new HttpAdmission({ context });
    const gate = new ConnectionGate({ maxClients: 8, queueMax: 8, protocol: 'http', context });
    h.cleanups.push(
      () => admission.close(),
      () => gate.close(),
    );
    // 2 ms of CPU, then the answer is held 100 ms: 48 clients always want more
    // than the 16 places, however slowly a loaded machine runs the load generator.
    const held = (_req: http.IncomingMessage, res: http.ServerResponse) => {
      burn(2);
      setTimeout(() => res.end('hello\n'), 100);
    };
    const app = http.createServer(admission.wrap(held));
    const port = await h.listen(
      net.createServer({ pauseOnConnect: true }, (socket) =>
        gate.handle(socket, (s) => app.emit('connection', s)),
      ),
    );
    h.cleanups.push(() => app.closeAllConnections());
    const r = await load({ mode: 'closed', port, clients: 48, duration: 3000, keepAlive: false });
    // 48 clients against 8 slots + 8 queued: the excess is shed at the gate,
    // fast. How many of each depends on the machine's speed, so count none.
    expect(r.byStatus['503'] ?? 0).toBeGreaterThan(0);
    expect(r.byStatus['200'] ?? 0).toBeGreaterThan(0);
    expect(r.errors).toBe(0);
    expect(r.latency.p90).toBeLessThan(1000);
    expect(gate.status().shed).toBe(r.byStatus['503']);
  });

  it('does not shed when merely busy: 20 closed-loop clients get no 503', async () => {
    const context = h.context();
    const admission = new HttpAdmission({ context });
    h.cleanups.push(() => admission.close());
    const port = await h.listen(http.createServer(admission.wrap(hello(1))));
    const r = await load({ mode: 'closed', port, clients: 20, duration: 3000 });
    expect(r.requests).toBeGreaterThan(500);
    expect(r.byStatus['503'] ?? 0).toBe(0);
    expect(admission.status().shed).toBe(0);
  });
});

describe('HttpAdmission basics', () => {
  it('bounds requests in flight and releases them when responses finish or close', async () => {
    const context = h.context();
    const admission = new HttpAdmission({ context, maxInFlight: 2 });
    h.cleanups.push(() => admission.close());
    const held: http.ServerResponse[] = [];
    const port = await h.listen(
      http.createServer(admission.wrap((_req, res) => void held.push(res))),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    h.cleanups.push(() => agent.destroy());
    const get = () =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        http
          .get({ port, host: '127.0.0.1', agent }, (res) => {
            res.resume();
            resolve(res);
          })
          .on('error', reject);
      });
    const a = get();
    const b = get();
    await new Promise((r) => setTimeout(r, 100));
    expect(admission.inFlight).toBe(2);
    const third = await get();
    expect(third.statusCode).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    expect(admission.status().shedByReason.inFlight).toBe(1);
    for (const res of held) res.end('ok');
    expect((await a).statusCode).toBe(200);
    expect((await b).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(admission.inFlight).toBe(0);
  });

  it('rejects bad options naming them', () => {
    expect(() => new HttpAdmission({ bogus: 1 } as never)).toThrow(/options\.bogus/);
    expect(() => new HttpAdmission({ target: 10, budget: 10 })).toThrow(/options\.budget/);
    expect(() => new HttpAdmission({ maxInFlight: 0 })).toThrow(/options\.maxInFlight/);
    let error: unknown;
    try {
      new HttpAdmission({ interval: -1 });
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string } | undefined)?.code).toBe(codes.INVALID_OPTION);
  });
});

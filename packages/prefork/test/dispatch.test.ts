import { readFileSync } from 'node:fs';
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

describe('overload with new connections (real processes)', () => {
  it('sheds the excess at once, keeps served latency bounded, and the arbiter memory flat', async () => {
    // Capacity: 2 workers × 4 clients of 50 ms requests; queue 2 per worker.
    const app = await startApp({ workers: 2, maxClients: 4, acceptQueueMaxlen: 2 });
    let served: number[] = [];
    let shed: number[] = [];
    const failed: string[] = [];
    // 40 concurrent clients, each opening a new connection per request: ~4x capacity.
    const overload = (ms: number) => {
      const until = Date.now() + ms;
      return Promise.all(
        Array.from({ length: 40 }, async () => {
          while (Date.now() < until) {
            const t0 = Date.now();
            try {
              const r = await rawRequest(app.port, '/slow?ms=50');
              (r.startsWith('HTTP/1.1 200') ? served : shed).push(Date.now() - t0);
              if (!/^HTTP\/1\.1 (200|503)/.test(r)) failed.push(r.slice(0, 40));
            } catch (e) {
              failed.push((e as Error).message);
            }
          }
        }),
      );
    };
    // A first second warms the arbiter up (code compiled, heap grown to its
    // working size), so that the RSS compared below is what the load adds.
    await overload(1000);
    const shedBefore = shed.length;
    served = [];
    shed = [];
    const rssBefore = arbiterRss(app.pid);
    await overload(3000);
    const rssAfter = arbiterRss(app.pid);
    expect(failed).toEqual([]);
    expect(served.length).toBeGreaterThan(100);
    expect(shed.length).toBeGreaterThan(100);
    // A 503 costs no queueing: its median is far below a served request's.
    expect(median(shed)).toBeLessThan(median(served));
    // Served latency is bounded by the queue (at most 2 waiting per worker), not by the load.
    expect(percentile(served, 0.99)).toBeLessThan(2000);
    const { value: s } = await adminGet(app, '/status');
    expect(s.dispatch.shed).toBe(shedBefore + shed.length);
    expect(s.dispatch.queueMax).toBeLessThanOrEqual(4);
    // Nothing accumulates in the arbiter: generous bound for a loaded machine.
    expect(rssAfter - rssBefore).toBeLessThan(40 << 20);
  });
});

function arbiterRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/\d+/)?.[0] ?? 0) * 1024;
}

function median(xs: number[]): number {
  return percentile(xs, 0.5);
}

function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

/** Sends one request on a raw socket and returns everything the server wrote before closing. */
function rawRequest(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
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

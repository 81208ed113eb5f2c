import { afterEach, describe, expect, it } from 'vitest';
import { get, load, sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

async function waitForNewPid(port: number, old: Set<number>, path = '/hello'): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const pid = Number((await get(port, path)).body.split(' ')[3]);
    if (!old.has(pid)) return pid;
  }
  throw new Error('no new worker answered within 15 s');
}

describe('graceful cycling and reload (real processes)', () => {
  it('a leaking worker is cycled at the memory limit with zero failed requests', async () => {
    const app = await startApp({
      workers: 2,
      memoryLimit: 160 << 20,
      checkInterval: 100,
      limitJitter: 0.05,
    });
    const first = new Set<number>();
    for (let i = 0; i < 4; i++)
      first.add(Number((await get(app.port, '/hello')).body.split(' ')[3]));
    const steady = load(app.port, '/hello', 4);
    // Each /leak keeps 4 MiB; ~40 of them push a worker past 160 MiB.
    let leakFailures = 0;
    for (let i = 0; i < 80; i++) {
      const r = await get(app.port, '/leak').catch(() => null);
      if (r === null || r.status !== 200) leakFailures++;
    }
    const fresh = await waitForNewPid(app.port, first);
    // The leaking worker drains (its drain hook prints) while the load goes on.
    await app.waitFor(/^\[worker \d pid \d+\] drained \d$/, 15_000);
    const r = await steady.stop();
    expect(fresh).toBeGreaterThan(0);
    expect(leakFailures).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.ok).toBeGreaterThan(50);
  });

  it('a worker leaking file descriptors is cycled at fdLimit', async () => {
    const app = await startApp(
      { workers: 1, fdLimit: 200, limitJitter: 0, checkInterval: 100 },
      'v1',
      {
        log: true,
      },
    );
    const first = Number((await get(app.port, '/hello')).body.split(' ')[3]);
    expect((await get(app.port, '/fds?n=250')).status).toBe(200);
    await app.waitFor(
      /WORKER_CYCLE worker 0 success .*retires: \d+ open fds over the limit of 200/,
      10_000,
    );
    expect(await waitForNewPid(app.port, new Set([first]))).not.toBe(first);
  });

  it('maxRequests cycles a worker after its quota without failing requests', async () => {
    const app = await startApp({ workers: 2, maxRequests: 40, maxRequestsJitter: 0 });
    const r = load(app.port, '/hello', 4);
    // Both original workers reach their quota, are replaced and drain under load.
    const deadline = Date.now() + 20_000;
    while (app.output.filter((l) => /drained \d$/.test(l)).length < 2 && Date.now() < deadline)
      await sleep(100);
    const res = await r.stop();
    expect(app.output.filter((l) => /drained \d$/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(res.errors).toEqual([]);
    expect(res.failed).toBe(0);
    expect(res.ok).toBeGreaterThan(80);
  });

  it('SIGHUP: rolling reload under steady load, zero failed requests, new code answers', async () => {
    const app = await startApp({ workers: 2 }, 'v1', { log: true });
    const l = load(app.port, '/hello', 6);
    await sleep(400);
    app.setVersion('v2');
    process.kill(app.pid, 'SIGHUP');
    await app.waitFor(/RELOAD success .*2 workers replaced/, 30_000);
    // Both old workers drain (their hook prints) while the load goes on.
    const deadline = Date.now() + 15_000;
    while (app.output.filter((x) => /drained \d$/.test(x)).length < 2 && Date.now() < deadline)
      await sleep(100);
    const r = await l.stop();
    expect(r.errors).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.bodies.get('hello v2') ?? 0).toBeGreaterThan(0);
    const after = await Promise.all(Array.from({ length: 6 }, () => get(app.port, '/hello')));
    expect(after.every((x) => x.body.startsWith('hello v2'))).toBe(true);
  });

  it('SIGHUP with a broken new version keeps the old workers serving', async () => {
    const app = await startApp({ workers: 2, maxStartFailures: 2 }, 'v1', { log: true });
    app.setVersion('broken');
    process.kill(app.pid, 'SIGHUP');
    await app.waitFor(/RELOAD failure .*reload stopped: a new worker did not become ready/, 20_000);
    expect(app.output.join('\n')).toMatch(/WORKER_REPLACE worker 0 failure .*failed before ready/);
    const after = await Promise.all(Array.from({ length: 6 }, () => get(app.port, '/hello')));
    expect(after.every((x) => x.status === 200 && x.body.startsWith('hello v1'))).toBe(true);
  });
});

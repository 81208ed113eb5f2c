import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, get, sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

describe('arbiter lifecycle (real processes)', () => {
  it('serves through every worker, prefixes worker output, and stops gracefully with keep-alive clients', async () => {
    const app = await startApp({ workers: 2, gracefulTimeout: 5000 });
    // Two slow requests at once go to two different workers (least busy first).
    const [a, b] = await Promise.all([
      get(app.port, '/slow?ms=300'),
      get(app.port, '/slow?ms=300'),
    ]);
    expect(a.body).toMatch(/^slow \d+$/);
    expect(b.body).toMatch(/^slow \d+$/);
    expect(a.body).not.toBe(b.body);
    expect((await get(app.port, '/hello')).body).toMatch(/^hello v1 [01] \d+$/);

    // Keep-alive clients: one idle, one with a request in flight when SIGTERM arrives.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    await get(app.port, '/hello', agent);
    const inFlight = get(app.port, '/slow?ms=800', agent);
    await sleep(150);
    const t0 = Date.now();
    process.kill(app.pid, 'SIGTERM');
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/^slow \d+$/);
    await app.waitFor(/^STOPPED /, 10_000);
    // The arbiter waited for the in-flight request, not for gracefulTimeout.
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(app.output.some((l) => /^\[worker [01] pid \d+\] drained [01]$/.test(l))).toBe(true);
    await new Promise((resolve) => app.child.once('exit', resolve));
    expect(alive(app.pid)).toBe(false);
    // New connections are refused once it is gone.
    await expect(get(app.port, '/hello')).rejects.toThrow();
    agent.destroy();
  });

  it('SIGTERM while the workers are starting stops the arbiter quietly: run() resolves, exit code 0', async () => {
    const app = await startApp({ workers: 2 }, 'slow', { until: /^ADMIN \d+/ });
    const exited = new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    await sleep(300);
    process.kill(app.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(app.output).toContain(`STOPPED ${app.pid}`);
    expect(app.output.filter((l) => /FAILED|Error/.test(l))).toEqual([]);
  });

  it('a worker that fails to start every time stops the arbiter with SUP_ERR_PREFORK_START_FAILED', async () => {
    await expect(
      startApp({ workers: 1, maxStartFailures: 3, backoffInitial: 10 }, 'broken'),
    ).rejects.toThrow(/FAILED \d+ SUP_ERR_PREFORK_START_FAILED worker 0 failed 3 times in a row/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { alive, get, load, sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

describe('SIGUSR2 hot upgrade (real processes)', () => {
  it('a new arbiter takes over the listening socket under load: zero failed requests, new code answers', async () => {
    const app = await startApp({ workers: 2 });
    const oldPid = app.pid;
    const l = load(app.port, '/hello', 6);
    await sleep(400);
    app.setVersion('v2');
    process.kill(oldPid, 'SIGUSR2');
    const m = await app.waitFor(/^READY (\d+) (\d+) v2$/, 30_000);
    const newPid = Number(m[1]);
    app.pids.add(newPid);
    expect(newPid).not.toBe(oldPid);
    // Same socket: the port did not change.
    expect(Number(m[2])).toBe(app.port);
    await app.waitFor(new RegExp(`^STOPPED ${oldPid}$`), 30_000);
    await sleep(500);
    const r = await l.stop();
    expect(r.errors).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.bodies.get('hello v2') ?? 0).toBeGreaterThan(0);
    expect(alive(newPid)).toBe(true);
    const after = await Promise.all(Array.from({ length: 6 }, () => get(app.port, '/hello')));
    expect(after.every((x) => x.body.startsWith('hello v2'))).toBe(true);
  });

  it('a broken new version is rolled back: the old arbiter keeps serving', async () => {
    const app = await startApp({ workers: 2, maxStartFailures: 2, backoffInitial: 10 });
    const l = load(app.port, '/hello', 4);
    await sleep(300);
    app.setVersion('broken');
    process.kill(app.pid, 'SIGUSR2');
    // The new arbiter gives up (its workers cannot start) and exits; the old one stays.
    await app.waitFor(/^FAILED (\d+) SUP_ERR_PREFORK_START_FAILED/, 30_000);
    await sleep(500);
    const r = await l.stop();
    expect(r.failed).toBe(0);
    expect(alive(app.pid)).toBe(true);
    const after = await Promise.all(Array.from({ length: 4 }, () => get(app.port, '/hello')));
    expect(after.every((x) => x.status === 200 && x.body.startsWith('hello v1'))).toBe(true);
    expect(app.output.join('\n')).not.toMatch(/^STOPPED/m);
  });
});

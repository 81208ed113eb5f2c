import { afterEach, describe, expect, it } from 'vitest';
import { adminGet, get, sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

describe('status, snapshots and worker commands (real processes)', () => {
  it('status() describes the arbiter, each worker and the listening socket', async () => {
    const app = await startApp({ workers: 2 });
    for (let i = 0; i < 4; i++) await get(app.port, '/hello');
    await sleep(1200); // one heartbeat with rss
    const { value: s } = await adminGet(app, '/status');
    expect(s.pid).toBe(app.pid);
    expect(s.phase).toBe('running');
    expect(s.workers).toHaveLength(2);
    for (const w of s.workers) {
      expect(w.state).toBe('ready');
      expect(w.rss).toBeGreaterThan(1 << 20);
      expect(w.uptimeMs).toBeGreaterThan(0);
      expect(Date.now() - w.lastHeartbeat).toBeLessThan(5000);
      expect(w).toMatchObject({ restarts: 0, inFlight: 0, queued: 0, exitCauses: [] });
    }
    expect(s.workers.map((w: { id: number }) => w.id).sort()).toEqual([0, 1]);
    expect(s.listen[0].address.port).toBe(app.port);
    expect(s.dispatch.accepted).toBeGreaterThanOrEqual(4);
    expect(s.totals).toMatchObject({ workers: 2, ready: 2 });
    // The arbiter's own Context: dispatch stats, action records, the component entry.
    const { value: snap } = await adminGet(app, '/stats');
    expect(snap.stats['prefork.dispatch.accepted'].n).toBeGreaterThanOrEqual(4);
    expect(snap.durations['prefork.dispatch.queueAge'].n).toBeGreaterThanOrEqual(4);
    expect(snap.components).toContainEqual(
      expect.objectContaining({ name: 'arbiter', kind: 'arbiter' }),
    );
    const { value: log } = await adminGet(app, '/log');
    expect(log.map((r: { action: string }) => r.action)).toContain('ARBITER_START');
  });

  it('collectSnapshots() returns each worker Context; a wedged worker gives null after the timeout', async () => {
    const app = await startApp({
      workers: 2,
      heartbeatTimeout: 60_000,
      gracefulTimeout: 1000,
      killGrace: 200,
    });
    const { value: snaps } = await adminGet(app, '/snapshots');
    expect(snaps).toHaveLength(2);
    for (const s of snaps) {
      expect(s.snapshot.pid).toBe(s.pid);
      expect(s.snapshot.watchdog.running).toBe(true);
      expect(s.snapshot.monitor.running).toBe(true);
    }
    void get(app.port, '/busy', undefined, 30_000).catch(() => {});
    await sleep(300);
    const t0 = Date.now();
    const { value: partial } = await adminGet(app, '/snapshots?timeout=500');
    expect(Date.now() - t0).toBeLessThan(3000);
    const wedged = partial.filter((s: { snapshot: unknown }) => s.snapshot === null);
    expect(wedged).toHaveLength(1);
    expect(wedged[0].error).toMatch(/did not answer "snapshot" within 500 ms/);
    expect(partial.filter((s: { snapshot: unknown }) => s.snapshot !== null)).toHaveLength(1);
  });

  it('workerCommand() runs the built-in ops in one worker and reports errors with codes', async () => {
    const app = await startApp({ workers: 1, config: { longBlockThreshold: 321 } });
    // The worker's Context starts with the arbiter Context's configuration.
    expect((await adminGet(app, '/cmd?id=0&op=snapshot')).value.config.longBlockThreshold).toBe(
      321,
    );
    expect((await adminGet(app, '/cmd?id=0&op=log-level&arg={"level":"debug"}')).value).toEqual({
      level: 'debug',
      logger: null,
    });
    expect((await adminGet(app, '/cmd?id=0&op=reset-stats')).value).toEqual({ reset: true });
    expect((await adminGet(app, '/cmd?id=0&op=snapshot')).value.log.level).toBe('debug');
    expect((await adminGet(app, '/cmd?id=0&op=profile:start')).value).toEqual({ sampling: true });
    for (let i = 0; i < 20; i++) await get(app.port, '/hello');
    const { value: prof } = await adminGet(app, '/cmd?id=0&op=profile:stop');
    expect(Array.isArray(prof.hotspots)).toBe(true);
    expect(Array.isArray(prof.profile.nodes)).toBe(true);
    const unknown = await adminGet(app, '/cmd?id=0&op=nope');
    expect(unknown.status).toBe(500);
    expect(unknown.value.code).toBe('SUP_ERR_PREFORK_COMMAND_FAILED');
    const missing = await adminGet(app, '/cmd?id=7&op=snapshot');
    expect(missing.value.code).toBe('SUP_ERR_PREFORK_NO_WORKER');
  });
});

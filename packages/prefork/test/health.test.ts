import { afterEach, describe, expect, it } from 'vitest';
import { alive, get, load, signal, sleep, startApp, stopAll } from './helpers.js';

afterEach(stopAll);

/** Pids of the workers serving now, as /hello answers them. */
async function workerPids(port: number, tries = 12): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries; i++) pids.add(Number((await get(port, '/hello')).body.split(' ')[3]));
  return pids;
}

describe('worker health (real processes)', () => {
  it('kill -9 of a worker under load: only its in-flight requests fail, a replacement serves soon', async () => {
    const app = await startApp({ workers: 2 });
    const before = await workerPids(app.port);
    expect(before.size).toBe(2);
    const victim = [...before][0] as number;
    const l = load(app.port, '/hello', 8);
    await sleep(500);
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    // A replacement with a new pid answers; generous bound (the precise figure is in the README).
    let replacement: number | undefined;
    while (replacement === undefined && Date.now() - killedAt < 10_000) {
      for (const pid of await workerPids(app.port, 4)) if (!before.has(pid)) replacement = pid;
    }
    const replacedMs = Date.now() - killedAt;
    await sleep(300);
    const r = await l.stop();
    expect(replacement).toBeDefined();
    // Generous: worker start-up (tsx compiling the sources) is slow on a loaded machine.
    expect(replacedMs).toBeLessThan(15_000);
    // At most the requests in flight on the victim (8 clients) failed.
    expect(r.failed).toBeLessThanOrEqual(8);
    expect(r.ok).toBeGreaterThan(100);
    // A SIGKILL the arbiter did not send is classified as the OOM killer's (support:prefork:worker-exit).
    await app.waitFor(new RegExp(`^EXIT \\d ${victim} oom SIGKILL -$`), 5000);
  });

  it('a request that busy-loops forever gets its worker killed after heartbeatTimeout; the others keep serving', async () => {
    const app = await startApp({
      workers: 2,
      heartbeatInterval: 200,
      heartbeatTimeout: 1500,
      killGrace: 300,
    });
    const before = await workerPids(app.port);
    const wedged = get(app.port, '/busy', undefined, 15_000).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await sleep(100);
    // The other worker keeps answering meanwhile.
    const during = await Promise.all(Array.from({ length: 5 }, () => get(app.port, '/hello')));
    expect(during.every((r) => r.status === 200)).toBe(true);
    expect(await wedged).not.toBe('answered');
    await app.waitFor(/^EXIT \d \d+ signal SIG(TERM|KILL) heartbeat$/, 5000);
    // Its replacement (a new pid) serves beside the survivor.
    let fresh: number[] = [];
    const deadline = Date.now() + 10_000;
    while (fresh.length === 0 && Date.now() < deadline) {
      fresh = [...(await workerPids(app.port, 4))].filter((p) => !before.has(p));
    }
    expect(fresh).toHaveLength(1);
    expect(app.output.join('\n')).not.toMatch(/FAILED|STOPPED/);
  });

  it('when most workers wedge, the arbiter says so loudly', async () => {
    const app = await startApp(
      { workers: 2, heartbeatInterval: 200, heartbeatTimeout: 1000, killGrace: 200 },
      'v1',
      { log: true },
    );
    // Two at once: least-busy dispatch puts them on different workers.
    for (let i = 0; i < 2; i++) void get(app.port, '/busy', undefined, 15_000).catch(() => {});
    await app.waitFor(
      /critical prefork WEDGING failure .*most workers are wedging: 2 timeouts of 2/,
      15_000,
    );
    expect(app.output.join('\n')).toMatch(
      /WORKER_KILL worker \d failure .*silent for \d+ ms \(heartbeatTimeout 1000 ms\): wedged/,
    );
  });

  it('a wedged worker whose arbiter was SIGKILLed kills itself instead of living on as an orphan', async () => {
    const app = await startApp({
      workers: 1,
      heartbeatTimeout: 60_000,
      gracefulTimeout: 500,
      killGrace: 200,
    });
    const pid = Number((await get(app.port, '/hello')).body.split(' ')[3]);
    void get(app.port, '/busy', undefined, 20_000).catch(() => {});
    await sleep(300);
    signal(app.pid, 'SIGKILL');
    const deadline = Date.now() + 8000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    expect(alive(pid)).toBe(false);
  });
});

import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bundleFixture, startChild } from './child.js';
import { getJSON, VIEW_PATHS } from './helpers.js';

// The real arbiter of @support/prefork (its sources, bundled into the child);
// meta itself never imports prefork.
const HAVE_PREFORK = existsSync(new URL('../../prefork/src/index.ts', import.meta.url));

describe.skipIf(!HAVE_PREFORK)('meta in a prefork arbiter with 2 workers', () => {
  test('JSON of every view, merged from the workers and per worker', async () => {
    const script = await bundleFixture('prefork-meta');
    const { url } = await startChild(script, {}, []);
    const workers = (await getJSON(`${url}/workers`)).body;
    expect(workers.kind).toBe('prefork');
    expect(workers.workers).toHaveLength(2);
    const ids = workers.workers.map((w: { id: number }) => w.id).sort();
    expect(
      workers.workers.every(
        (w: { state: string; pid: number }) => w.state === 'ready' && w.pid > 0,
      ),
    ).toBe(true);

    // The fixture has no req.latency nor recent traffic: those two are 404 here.
    for (const path of VIEW_PATHS.filter(
      (p) => p !== '/stats/req.latency' && p !== '/recent/conn',
    )) {
      expect((await getJSON(`${url}${path}`)).status, path).toBe(200);
    }
    const merged = (await getJSON(`${url}/stats/worker.points`)).body;
    // Worker w adds 10·(w + 1) points: 10 + 20 with ids 0 and 1.
    expect(merged.n).toBe(ids.reduce((a: number, id: number) => a + 10 * (id + 1), 0));
    for (const id of ids) {
      const one = (await getJSON(`${url}/stats/worker.points?worker=${id}`)).body;
      expect(one.n).toBe(10 * (id + 1));
    }
    const overview = (await getJSON(`${url}/`)).body;
    expect(overview.snapshot.merged.count).toBe(2);
    expect(overview.workers.states).toEqual({ ready: 2 });
    const logs = (await getJSON(`${url}/logs`)).body;
    expect(logs.records.filter((r: { action: string }) => r.action === 'WORKER_UP')).toHaveLength(
      2,
    );
    expect((await getJSON(`${url}/readyz`)).status).toBe(200);

    const metrics = await (await fetch(`${url}/metrics?by=worker`)).text();
    for (const id of ids) {
      expect(metrics).toMatch(
        new RegExp(
          `^support_worker_points_seconds_count\\{worker="${id}"\\} ${10 * (id + 1)}$`,
          'm',
        ),
      );
    }

    // A mutation reaches every worker: the merged view is empty afterwards.
    const reset = await fetch(`${url}/reset-stats`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(reset.status).toBe(200);
    expect((await getJSON(`${url}/stats/worker.points`)).status).toBe(404);
  }, 60_000);
});

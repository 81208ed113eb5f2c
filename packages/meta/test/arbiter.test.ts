import { Context, type ContextSnapshot } from '@support/context';
import { describe, expect, test } from 'vitest';
import { type ArbiterLike, arbiterSource, createMetaApp, runContextOp } from '../src/index.js';
import { cleanup, getJSON, serve, VIEW_PATHS } from './helpers.js';

/** An in-process stand-in for a prefork Arbiter: each "worker" is a Context here. */
function fakeArbiter(
  workers: Array<{ id: number; ctx: Context; state?: string; wedged?: boolean }>,
): ArbiterLike {
  return {
    status: () => ({
      pid: process.pid,
      startedAt: Date.now() - 1000,
      workers: workers.map((w) => ({
        id: w.id,
        pid: 10_000 + w.id,
        state: w.state ?? 'ready',
        uptimeMs: 1000,
        restarts: 0,
        rss: 50_000_000,
        inFlight: 0,
        queued: 0,
        lastHeartbeat: Date.now(),
        exitCauses: {},
      })),
      totals: { workers: workers.length },
      shed: {},
      listen: [],
    }),
    collectSnapshots: async () =>
      workers.map((w) => ({
        id: w.id,
        pid: 10_000 + w.id,
        snapshot: w.wedged
          ? null
          : ({ ...w.ctx.snapshot(), pid: 10_000 + w.id } as ContextSnapshot),
        ...(w.wedged ? { error: 'timeout' } : {}),
      })),
    workerCommand: async (id, op, arg) => {
      const w = workers.find((x) => x.id === id);
      if (!w) throw new Error(`no worker ${id}`);
      const result = await runContextOp(w.ctx, op, arg);
      return op === 'snapshot' ? { ...(result as ContextSnapshot), pid: 10_000 + id } : result;
    },
  };
}

function worker(id: number, points: number): { id: number; ctx: Context } {
  const ctx = new Context();
  cleanup(() => ctx.close());
  for (let i = 0; i < points; i++) ctx.durations.get('req.latency').add(i + 1);
  ctx.recent.addTraffic('conn', 'in', `hello from ${id}`);
  ctx.log.get('app').info('HELLO').success(`worker ${id}`);
  return { id, ctx };
}

async function setup(
  workers: ReturnType<typeof worker>[],
  extra: Parameters<typeof createMetaApp>[0] = {},
) {
  const meta = createMetaApp({
    source: arbiterSource(fakeArbiter(workers)),
    allowMutations: true,
    ...extra,
  });
  cleanup(() => meta.close());
  return serve(meta.handler);
}

describe('arbiterSource (fake arbiter in-process)', () => {
  test('every view answers JSON from the merged workers', async () => {
    const url = await setup([worker(1, 100), worker(2, 50)]);
    for (const path of VIEW_PATHS) {
      const r = await getJSON(`${url}${path}`);
      expect(r.status, path).toBe(200);
    }
  });

  test('stats are merged across workers, or one worker with ?worker=', async () => {
    const url = await setup([worker(1, 100), worker(2, 50)]);
    const merged = (await getJSON(`${url}/stats/req.latency`)).body;
    expect(merged.n).toBe(150);
    expect(merged.max).toBe(100);
    const one = (await getJSON(`${url}/stats/req.latency?worker=2`)).body;
    expect(one).toMatchObject({ n: 50, max: 50, worker: '2' });
    expect((await getJSON(`${url}/stats?worker=9`)).status).toBe(404);
    const overview = (await getJSON(`${url}/`)).body;
    expect(overview.service.kind).toBe('prefork');
    expect(overview.workers).toEqual({ count: 2, states: { ready: 2 } });
    expect(overview.snapshot.merged).toMatchObject({ count: 2, pids: [10_001, 10_002] });
    const logs = (await getJSON(`${url}/logs`)).body;
    expect(logs.records.map((r: { message: string }) => r.message).sort()).toEqual([
      'worker 1',
      'worker 2',
    ]);
  });

  test('/workers lists the arbiter status; pages get a worker switch', async () => {
    const url = await setup([worker(1, 1), worker(2, 1)]);
    const body = (await getJSON(`${url}/workers`)).body;
    expect(body.kind).toBe('prefork');
    expect(body.workers.map((w: { id: number }) => w.id)).toEqual([1, 2]);
    const page = await (await fetch(`${url}/stats`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('<select id="worker-switch">');
    expect(page).toContain('<option value="2">2</option>');
  });

  test('a wedged worker is left out of the merge', async () => {
    const w2 = { ...worker(2, 50), wedged: true };
    const url = await setup([worker(1, 100), w2]);
    expect((await getJSON(`${url}/stats/req.latency`)).body.n).toBe(100);
  });

  test('/readyz counts ready workers against minReadyWorkers', async () => {
    const starting = { ...worker(2, 0), state: 'starting' };
    const url = await setup([worker(1, 0), starting], { minReadyWorkers: 2 });
    const r = await getJSON(`${url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body.workers).toEqual({ ready: 1, total: 2, required: 2 });
    const url1 = await setup([worker(1, 0), starting], { minReadyWorkers: 1 });
    expect((await getJSON(`${url1}/readyz`)).status).toBe(200);
  });

  test('/metrics sums the workers, and labels them with ?by=worker', async () => {
    const url = await setup([worker(1, 100), worker(2, 50)]);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^support_req_latency_seconds_count 150$/m);
    const by = await (await fetch(`${url}/metrics?by=worker`)).text();
    expect(by).toMatch(/^support_req_latency_seconds_count\{worker="1"\} 100$/m);
    expect(by).toMatch(/^support_req_latency_seconds_count\{worker="2"\} 50$/m);
  });

  test('mutations reach every worker, or the chosen one', async () => {
    const w1 = worker(1, 10);
    const w2 = worker(2, 10);
    const url = await setup([w1, w2]);
    const post = (path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await post('/log-level', { level: 'warn' })).status).toBe(200);
    expect([w1.ctx.log.level, w2.ctx.log.level]).toEqual(['warn', 'warn']);
    expect((await post('/reset-stats?worker=2')).status).toBe(200);
    expect([w1.ctx.durations.has('req.latency'), w2.ctx.durations.has('req.latency')]).toEqual([
      true,
      false,
    ]);
    expect((await post('/profile/start?worker=2')).status).toBe(200);
    expect([w1.ctx.sampling, w2.ctx.sampling]).toEqual([false, true]);
    const stop = await post('/profile/stop');
    expect(stop.status).toBe(200);
    expect(w2.ctx.sampling).toBe(false);
    expect(((await stop.json()) as { result: { worker: string } }).result.worker).toBe('2');
  });

  test('arbiterSource validates its arbiter and options', () => {
    expect(() => arbiterSource({} as never)).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_META_INVALID_OPTION' }),
    );
    expect(() => arbiterSource(fakeArbiter([]), { timeout: 0 })).toThrow(/timeout/);
  });
});

import { Stats, type StatsSnapshot } from '@support/faststat';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Context, type ContextSnapshot, mergeSnapshots } from '../src/index.js';

const contexts: Context[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

function quiet(options: ConstructorParameters<typeof Context>[0] = {}): Context {
  const ctx = new Context({ monitoring: false, watchdog: false, ...options });
  contexts.push(ctx);
  return ctx;
}

/** A context's snapshot as another process would send it: through JSON, with its own pid. */
function asWorker(ctx: Context, pid: number): ContextSnapshot {
  return { ...(JSON.parse(JSON.stringify(ctx.snapshot())) as ContextSnapshot), pid };
}

describe('mergeSnapshots', () => {
  it('merges stats, durations and intervals per name with faststat, keeping their type', () => {
    const a = quiet();
    const b = quiet();
    for (let i = 1; i <= 100; i++) a.stats.get('req.size').add(i);
    for (let i = 101; i <= 300; i++) b.stats.get('req.size').add(i);
    a.durations.get('db').add(5);
    b.durations.get('db').add(15);
    b.durations.get('db').add(-1);
    a.stats.get('only.a').add(7);
    a.intervals.get('accept').tick();
    a.intervals.get('accept').tick();
    b.intervals.get('accept').tick();
    b.intervals.get('accept').tick();
    b.volatileStats.get('user:1').add(3);
    const sa = asWorker(a, 101);
    const sb = asWorker(b, 102);
    const m = mergeSnapshots([sa, sb]);
    const req = m.stats['req.size']!;
    expect(req.n).toBe(300);
    expect(req.min).toBe(1);
    expect(req.max).toBe(300);
    expect(req.moments.mean).toBeCloseTo(150.5, 9);
    const p50 = Stats.fromSnapshot(req).quantile(0.5);
    expect(Math.abs(p50 - 150) / 150).toBeLessThan(0.02);
    expect(req.buckets).toEqual(
      sa.stats['req.size']!.buckets.map((c, i) => c + sb.stats['req.size']!.buckets[i]!),
    );
    expect(m.durations.db).toMatchObject({ type: 'duration', n: 2, negative: 1, min: 5, max: 15 });
    expect(m.intervals.accept).toMatchObject({ type: 'interval', n: 2 });
    expect(m.stats['only.a']).toEqual(sa.stats['only.a']);
    expect(m.volatileStats['user:1']?.n).toBe(1);
    expect(m.registries.stats).toMatchObject({ size: 2, overflow: 0 });
  });

  it('merges markov state machines and stream sketches', () => {
    const a = quiet();
    const b = quiet();
    for (const ctx of [a, b]) {
      const t = ctx.markov.get('socket').makeTransitor('connecting');
      t.transition('connected');
    }
    for (let i = 0; i < 1000; i++) a.sketches.get('clients').add(`10.0.0.${i % 200}`);
    for (let i = 0; i < 1000; i++) b.sketches.get('clients').add(`10.0.1.${i % 100}`);
    b.sketches.get('clients').add('10.0.0.1');
    const m = mergeSnapshots([asWorker(a, 1), asWorker(b, 2)]);
    const socket = m.markov.socket as {
      counts: Record<string, number>;
      stateDurations: Record<string, StatsSnapshot>;
    };
    expect(socket.counts).toEqual({ connecting: 0, connected: 2 });
    expect(socket.stateDurations.connecting?.n).toBe(2);
    const clients = m.sketches.clients as {
      n: number;
      cardinality: number;
      heavyHitters: { entries: unknown[] };
    };
    expect(clients.n).toBe(2001);
    expect(Math.abs(clients.cardinality - 300) / 300).toBeLessThan(0.05);
  });

  it('concatenates log records, recent events and long blocks, tagged with pid, newest kept', () => {
    const a = quiet();
    const b = quiet();
    a.log.get('app').info('A1').success();
    b.log.get('app').info('B1').success();
    a.log.get('app').info('A2').success();
    a.recent.add('conn', { time: 1, what: 'a-old' });
    b.recent.add('conn', { time: 2, what: 'b' });
    a.recent.add('conn', { time: 3, what: 'a-new' });
    b.recent.add('other', { time: 4, what: 'b-other' });
    const sa = asWorker(a, 11);
    const sb = asWorker(b, 12);
    sa.watchdog.longBlocks = [{ start: 0, end: 10 } as never, { start: 0, end: 30 } as never];
    sb.watchdog.longBlocks = [{ start: 0, end: 20 } as never];
    sb.log.ring[0]!.end = sa.log.ring[0]!.end + 0.5;
    sa.log.ring[1]!.end = sb.log.ring[0]!.end + 0.5;
    const m = mergeSnapshots([sa, sb], { logRecords: 2, eventsPerKey: 2, longBlocks: 2 });
    expect(m.log.ring.map((r) => [r.action, (r as { pid?: number }).pid])).toEqual([
      ['B1', 12],
      ['A2', 11],
    ]);
    expect(m.log.records).toBe(3);
    expect(m.recent.events.conn).toEqual([
      { time: 2, what: 'b', pid: 12 },
      { time: 3, what: 'a-new', pid: 11 },
    ]);
    expect(m.recent.events.other).toEqual([{ time: 4, what: 'b-other', pid: 12 }]);
    expect(m.recent).toMatchObject({ keys: 2, added: 4 });
    expect(m.watchdog.longBlocks.map((r) => [r.end, (r as { pid?: number }).pid])).toEqual([
      [20, 12],
      [30, 11],
    ]);
  });

  it('lists every process’s components, tagged with pid', () => {
    const a = quiet();
    const b = quiet();
    const pool = { kind: 'threadpool', status: () => ({ threads: 1 }) };
    const mgr = { kind: 'connmgr', status: () => ({ open: 0 }) };
    a.components.register('io', pool);
    b.components.register('io', pool);
    b.components.register('connmgr', mgr);
    const m = mergeSnapshots([asWorker(a, 1), asWorker(b, 2)]);
    expect(m.components).toEqual([
      { name: 'io', kind: 'threadpool', status: { threads: 1 }, pid: 1 },
      { name: 'io', kind: 'threadpool', status: { threads: 1 }, pid: 2 },
      { name: 'connmgr', kind: 'connmgr', status: { open: 0 }, pid: 2 },
    ]);
    expect(m.componentRegistry).toMatchObject({ size: 3, overflow: 0 });
  });

  it('says what went in: pid of the first, pids, count; a merge of merges flattens them', () => {
    const snaps = [1, 2, 3, 4].map((pid) => {
      const ctx = quiet();
      ctx.stats.get('x').add(pid);
      return asWorker(ctx, pid);
    });
    const m12 = mergeSnapshots(snaps.slice(0, 2));
    expect(m12.pid).toBe(1);
    expect(m12.merged).toEqual({ count: 2, pids: [1, 2], errors: [] });
    const all = mergeSnapshots([m12, mergeSnapshots(snaps.slice(2))]);
    expect(all.merged).toEqual({ count: 4, pids: [1, 2, 3, 4], errors: [] });
    expect(all.stats.x).toMatchObject({ n: 4, min: 1, max: 4 });
    expect(all.time).toBe(Math.max(...snaps.map((s) => s.time)));
    expect(all.createdAt).toBe(Math.min(...snaps.map((s) => s.createdAt)));
    expect(mergeSnapshots([snaps[0]!]).stats.x).toEqual(snaps[0]!.stats.x);
  });

  it('keeps the first of entries it cannot merge and reports them', () => {
    const a = quiet();
    const b = quiet({ statsOptions: { relativeAccuracy: 0.02 } });
    a.stats.get('lat').add(1);
    b.stats.get('lat').add(2);
    const sa = asWorker(a, 1);
    const sb = asWorker(b, 2);
    (sb.stats as Record<string, unknown>).broken = { error: 'snapshot failed' };
    (sa.stats as Record<string, unknown>).broken = { error: 'snapshot failed' };
    const m = mergeSnapshots([sa, sb]);
    expect(m.stats.lat).toEqual(sa.stats.lat);
    expect(m.merged?.errors).toHaveLength(1);
    expect(m.merged?.errors[0]).toMatch(/^stats\.lat: cannot merge/);
    expect(m.stats.broken).toEqual({ error: 'snapshot failed' });
  });

  it('rejects bad arguments with a coded TypeError naming them', () => {
    const code = { code: 'SUP_ERR_CONTEXT_OPTION' };
    expect(() => mergeSnapshots([])).toThrow(expect.objectContaining(code));
    expect(() => mergeSnapshots([null as never])).toThrow(
      /snapshots\)\[0\] must be a context snapshot/,
    );
    const s = quiet().snapshot();
    expect(() => mergeSnapshots([s], { logRecords: 0 })).toThrow(/options\)\.logRecords/);
    expect(() => mergeSnapshots([s], { nope: 1 } as never)).toThrow(/nope/);
  });

  it('n, sum, min, max and bucket counts of a merge equal those of all points in one Stats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 40 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (shards) => {
          const whole = new Stats();
          const snaps = shards.map((points, pid) => {
            const ctx = new Context({ monitoring: false, watchdog: false });
            for (const x of points) {
              ctx.stats.get('v').add(x);
              whole.add(x);
            }
            const snap = asWorker(ctx, pid + 1);
            void ctx.close();
            return snap;
          });
          const m = mergeSnapshots(snaps).stats.v;
          const n = shards.flat().length;
          if (n === 0) return;
          // Through JSON like the shards (which turns -0 into 0).
          const w = JSON.parse(JSON.stringify(whole.snapshot())) as StatsSnapshot;
          expect(m?.n).toBe(n);
          expect(m?.min).toBe(w.min);
          expect(m?.max).toBe(w.max);
          expect(m?.buckets).toEqual(w.buckets);
          expect(m?.moments.mean).toBeCloseTo(w.moments.mean, 3);
        },
      ),
      { numRuns: 100 },
    );
  });
});

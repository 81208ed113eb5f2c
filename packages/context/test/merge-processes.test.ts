import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContextSnapshot, mergeSnapshots } from '../src/index.js';
import { bundleContext, runNode } from './child.js';

// Three real processes each fill a context and print its snapshot; the test
// merges what arrives, as the prefork arbiter does with its workers.
let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'context-merge-'));
  const bundle = join(dir, 'context.mjs');
  await bundleContext(bundle);
  script = join(dir, 'worker.mjs');
  await writeFile(
    script,
    `import { Context } from ${JSON.stringify(bundle)};
const id = Number(process.argv[2]);
const ctx = new Context({ watchdog: false, config: { monitorInterval: 10 } });
for (let i = 1; i <= 100; i++) ctx.stats.get('req.size').add(id * 1000 + i);
ctx.durations.get('db').add(id);
ctx.sketches.get('clients').add('shared');
ctx.sketches.get('clients').add('only-' + id);
const pool = { kind: 'threadpool', status: () => ({ worker: id }) };
ctx.components.register('io', pool);
ctx.log.get('app').info('BOOT', String(id)).success();
ctx.recent.add('conn', { time: Date.now(), id });
await new Promise((r) => setTimeout(r, 50));
ctx.sampleNow();
process.stdout.write(JSON.stringify(ctx.snapshot()));
await ctx.close();
`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mergeSnapshots of real processes', () => {
  it('merges three processes’ snapshots sent as JSON', async () => {
    const runs = await Promise.all([1, 2, 3].map((id) => runNode(script, { args: [String(id)] })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const snapshots = runs.map((r) => JSON.parse(r.stdout) as ContextSnapshot);
    const pids = snapshots.map((s) => s.pid);
    expect(new Set(pids).size).toBe(3);
    const m = mergeSnapshots(snapshots);
    expect(m.pid).toBe(pids[0]);
    expect(m.merged).toEqual({ count: 3, pids, errors: [] });
    expect(m.stats['req.size']).toMatchObject({ n: 300, min: 1001, max: 3100 });
    expect(m.durations.db).toMatchObject({ type: 'duration', n: 3, min: 1, max: 3 });
    expect(m.stats['mem.rss']?.n).toBe(
      snapshots.reduce((n, s) => n + (s.stats['mem.rss']?.n ?? 0), 0),
    );
    expect((m.sketches.clients as { cardinality: number }).cardinality).toBe(4);
    expect(m.components.map((c) => [(c as { pid?: number }).pid, c.status])).toEqual(
      pids.map((pid, i) => [pid, { worker: i + 1 }]),
    );
    expect(
      m.log.ring
        .filter((r) => r.action === 'BOOT')
        .map((r) => (r as { pid?: number }).pid)
        .sort(),
    ).toEqual([...pids].sort());
    expect(m.recent.events.conn?.map((e) => (e as { pid: number }).pid).sort()).toEqual(
      [...pids].sort(),
    );
    expect(m.monitor).toMatchObject({ running: true });
    expect(m.monitor.samples).toBe(snapshots.reduce((n, s) => n + s.monitor.samples, 0));
  });
});

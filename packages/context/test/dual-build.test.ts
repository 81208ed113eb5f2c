// An ESM app with a CommonJS dependency loads both builds of a package: two
// copies of every module in one process. Process-wide state must stay one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundleContext, runNode } from './child.js';

const dir = mkdtempSync(join(tmpdir(), 'support-dual-'));

beforeAll(async () => {
  await bundleContext(join(dir, 'context.mjs'), 'esm');
  await bundleContext(join(dir, 'context.cjs'), 'cjs');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the ESM and CommonJS builds share the default context, scopes and snapshots', async () => {
  const program = join(dir, 'dual.mjs');
  writeFileSync(
    program,
    `
import { createRequire } from 'node:module';
import * as esm from './context.mjs';
const cjs = createRequire(import.meta.url)('./context.cjs');
const out = {};
out.twoCopies = esm.Context !== cjs.Context;
out.sameDefault = esm.getContext() === cjs.getContext();
const mine = new cjs.Context({ watchdog: false, monitoring: false });
esm.setContext(mine);
out.setAcross = esm.getContext() === mine && cjs.getContext() === mine;
out.instanceofAcross = mine instanceof esm.Context;
const scoped = new esm.Context({ watchdog: false, monitoring: false });
out.scopedAcross = esm.runWithContext(scoped, () => cjs.getContext() === scoped);
scoped.stats.get('latency').add(3);
mine.stats.get('latency').add(5);
mine.stats.get('latency').merge(scoped.stats.get('latency'));
out.mergedN = mine.stats.get('latency').n;
out.mergeSnapshots = cjs.mergeSnapshots([scoped.snapshot(), mine.snapshot()]).stats.latency.n;
console.log(JSON.stringify(out));
await Promise.all([mine.close(), scoped.close(), esm.getContext().close()]);
`,
  );
  const r = await runNode(program);
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    twoCopies: true,
    sameDefault: true,
    setAcross: true,
    instanceofAcross: true,
    scopedAcross: true,
    mergedN: 2,
    mergeSnapshots: 3,
  });
});

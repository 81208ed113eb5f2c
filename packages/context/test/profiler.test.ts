import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Context, type CpuProfile } from '../src/index.js';

function burnCpuInANamedFunction(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe('sampling profiler', () => {
  let ctx: Context | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('finds the hot function with file:line and saves a .cpuprofile', async () => {
    ctx = new Context({ monitoring: false, watchdog: false, samplingInterval: 1 });
    await ctx.setSampling(true);
    expect(ctx.sampling).toBe(true);
    burnCpuInANamedFunction(300);
    const spots = await ctx.hotspots(Number.MAX_SAFE_INTEGER);
    const hot = spots.find((s) => s.functionName === 'burnCpuInANamedFunction');
    expect(hot, JSON.stringify(spots.slice(0, 5))).toBeDefined();
    expect(hot!.url).toContain('profiler.test.ts');
    expect(hot!.lineNumber).toBeGreaterThan(0);
    expect(hot!.totalMs).toBeGreaterThanOrEqual(hot!.selfMs);
    expect(hot!.totalMs).toBeGreaterThan(100);
    // Still sampling after a read; the aggregate keeps growing.
    burnCpuInANamedFunction(100);
    dir = await mkdtemp(join(tmpdir(), 'context-profile-'));
    const file = join(dir, 'run.cpuprofile');
    await ctx.saveProfile(file);
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples!.length).toBe(profile.timeDeltas!.length);
    expect(profile.endTime).toBeGreaterThan(profile.startTime);
    await ctx.setSampling(false);
    expect(ctx.sampling).toBe(false);
    // The aggregate spans every segment. (Code V8 optimised and inlined
    // before a segment began may be charged to its caller, so compare totals.)
    const selfTotal = (list: typeof spots) => list.reduce((sum, s) => sum + s.selfMs, 0);
    expect(selfTotal(await ctx.hotspots(Number.MAX_SAFE_INTEGER))).toBeGreaterThan(
      selfTotal(spots) + 50,
    );
  });

  it('rejects (not throws) when there is nothing to save or the context is closed', async () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    await expect(ctx.saveProfile('/nonexistent/x.cpuprofile')).rejects.toMatchObject({
      code: 'SUP_ERR_CONTEXT_NOT_SAMPLING',
    });
    await ctx.close();
    await expect(ctx.setSampling(true)).rejects.toMatchObject({ code: 'SUP_ERR_CONTEXT_CLOSED' });
  });
});

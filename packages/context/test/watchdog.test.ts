import { afterEach, describe, expect, it } from 'vitest';
import { Context, LONG_BLOCK_STAT, type LongBlockReport } from '../src/index.js';

function blockTheLoopInANamedFunction(ms: number): number {
  const end = Date.now() + ms;
  let spins = 0;
  while (Date.now() < end) spins++;
  return spins;
}

function nextReport(ctx: Context, timeoutMs: number): Promise<LongBlockReport> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const report = ctx.longBlocks()[0];
      if (report) return resolve(report);
      if (Date.now() > deadline) return reject(new Error('no long-block report'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('long-block watchdog', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('reports a 300 ms block with the blocking function on top of the stack', async () => {
    ctx = new Context({ monitoring: false });
    // Let the worker start and the heartbeat settle.
    await new Promise((r) => setTimeout(r, 200));
    const startedAt = performance.timeOrigin + performance.now();
    blockTheLoopInANamedFunction(300);
    const report = await nextReport(ctx, 5000);
    expect(report.error).toBeNull();
    expect(report.frames?.[0]?.functionName).toBe('blockTheLoopInANamedFunction');
    expect(report.frames?.[0]?.url).toContain('watchdog.test.ts');
    expect(report.durationMs).toBeGreaterThanOrEqual(250);
    expect(report.durationMs).toBeLessThan(2000);
    // Captured while the block was still going on.
    expect(report.capturedAt).not.toBeNull();
    expect(report.capturedAt!).toBeLessThan(startedAt + 300 + 50);
    expect(ctx.durations.get(LONG_BLOCK_STAT).n).toBe(1);
    const record = ctx.log.ring.records().find((r) => r.action === 'LONG_BLOCK');
    expect(record?.level).toBe('warn');
    expect(record?.detail).toContain('blockTheLoopInANamedFunction');
  });
});

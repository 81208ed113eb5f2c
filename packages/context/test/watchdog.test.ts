import { spawnSync } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { Context, LONG_BLOCK_STAT, type LongBlockReport } from '../src/index.js';
import type { Watchdog } from '../src/watchdog.js';

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
    const published: unknown[] = [];
    const onReport = (message: unknown) => published.push(message);
    diagnostics_channel.subscribe('support:context:long-block', onReport);
    // Let the worker start and the heartbeat settle.
    await new Promise((r) => setTimeout(r, 200));
    const startedAt = performance.timeOrigin + performance.now();
    blockTheLoopInANamedFunction(300);
    const report = await nextReport(ctx, 5000).finally(() =>
      diagnostics_channel.unsubscribe('support:context:long-block', onReport),
    );
    expect(published).toEqual([report]);
    expect(report.error).toBeNull();
    expect(report.frames?.[0]?.functionName).toBe('blockTheLoopInANamedFunction');
    expect(report.frames?.[0]?.url).toContain('watchdog.test.ts');
    expect(report.durationMs).toBeGreaterThanOrEqual(250);
    expect(report.durationMs).toBeLessThan(2000);
    // Captured while the block was still going on (the pause holds the main
    // thread, so the block cannot end before the stack is taken).
    expect(report.capturedAt).not.toBeNull();
    expect(report.capturedAt!).toBeGreaterThan(startedAt);
    expect(report.capturedAt!).toBeLessThan(report.end);
    expect(ctx.durations.get(LONG_BLOCK_STAT).n).toBe(1);
    const record = ctx.log.ring.records().find((r) => r.action === 'LONG_BLOCK');
    expect(record?.level).toBe('warn');
    expect(record?.detail).toContain('blockTheLoopInANamedFunction');
  });

  it('rate-limits stack captures but still counts every block, and ignores short ones', async () => {
    ctx = new Context({
      monitoring: false,
      config: { longBlockThreshold: 300 },
      longBlockReportInterval: 60_000,
    });
    await new Promise((r) => setTimeout(r, 200));
    // Far under the threshold, so a descheduled test process cannot make it long.
    blockTheLoopInANamedFunction(30);
    await new Promise((r) => setTimeout(r, 150));
    expect(ctx.longBlocks()).toHaveLength(0);
    blockTheLoopInANamedFunction(500);
    await nextReport(ctx, 5000);
    await new Promise((r) => setTimeout(r, 50));
    blockTheLoopInANamedFunction(500);
    const deadline = Date.now() + 5000;
    while (ctx.longBlocks().length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const [first, second] = ctx.longBlocks();
    expect(first?.frames?.[0]?.functionName).toBe('blockTheLoopInANamedFunction');
    expect(second).toMatchObject({ frames: null, error: 'rate-limited' });
    expect(ctx.durations.get(LONG_BLOCK_STAT).n).toBe(2);
    const snap = JSON.parse(JSON.stringify(ctx.snapshot()));
    expect(snap.watchdog.longBlocks).toHaveLength(2);
    expect(snap.watchdog.captureStacks).toBe(true);
  });

  it('restarts with a new threshold and stops with setWatchdog(false)', async () => {
    ctx = new Context({ monitoring: false });
    ctx.config.longBlockThreshold = 400;
    expect(ctx.watching).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    blockTheLoopInANamedFunction(250);
    await new Promise((r) => setTimeout(r, 150));
    expect(ctx.longBlocks()).toHaveLength(0);
    await ctx.setWatchdog(false);
    expect(ctx.watching).toBe(false);
  });

  it('shares the monitor’s timer for its heartbeat, and reports promptly with it', async () => {
    ctx = new Context({ longBlockReportInterval: 0 });
    // The heartbeat period the worker expects: the monitor's interval.
    const beatPeriod = () => (ctx as unknown as { watchdog?: Watchdog }).watchdog?.beatPeriod;
    expect(beatPeriod()).toBe(ctx.config.monitorInterval);
    await new Promise((r) => setTimeout(r, 250));
    const startedAt = performance.timeOrigin + performance.now();
    blockTheLoopInANamedFunction(400);
    const report = await nextReport(ctx, 5000);
    expect(report.frames?.[0]?.functionName).toBe('blockTheLoopInANamedFunction');
    expect(report.capturedAt!).toBeGreaterThan(startedAt);
    expect(report.capturedAt!).toBeLessThan(report.end);
    // Without the monitor the watchdog runs its own timer again (threshold / 2).
    ctx.setMonitoring(false);
    expect(beatPeriod()).toBe(ctx.config.longBlockThreshold / 2);
    ctx.setMonitoring(true);
    expect(beatPeriod()).toBe(ctx.config.monitorInterval);
    // A monitor slower than the threshold cannot carry the beat.
    ctx.config.monitorInterval = ctx.config.longBlockThreshold * 2;
    expect(beatPeriod()).toBe(ctx.config.longBlockThreshold / 2);
  });

  it('a block inside native code gets no stack past the capture timeout, and never leaves the loop paused', async () => {
    ctx = new Context({ monitoring: false, watchdogCaptureTimeout: 50 });
    await new Promise((r) => setTimeout(r, 200));
    blockInNativeCode();
    const report = await nextReport(ctx, 5000);
    // The inspector cannot interrupt spawnSync, so the capture times out.
    expect(report.frames).toBeNull();
    expect(report.error).toMatch(/did not pause within 50 ms/);
    expect(report.durationMs).toBeGreaterThanOrEqual(300);
    expect(ctx.log.ring.records().at(-1)?.message).toMatch(
      /no stack: the main thread did not pause/,
    );
    // The loop runs normally afterwards: nothing was left paused.
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setImmediate(r));
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

function blockInNativeCode(): void {
  spawnSync(process.execPath, [
    '-e',
    'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400)',
  ]);
}

import { afterEach, describe, expect, it } from 'vitest';
import { Context, MONITOR_STATS } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('loop and process monitor', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('records loop, memory, CPU, resources, GC and its own overhead every interval', async () => {
    ctx = new Context({ watchdog: false, config: { monitorInterval: 20 } });
    expect(ctx.monitoring).toBe(true);
    // Make garbage so at least one GC happens, and keep a timer active.
    const keep = setInterval(() => {}, 5);
    let junk: unknown[] = [];
    const deadline = Date.now() + 3000;
    while (
      Date.now() < deadline &&
      (ctx.stats.get(MONITOR_STATS.loopDelayMax).n < 3 || !hasGc(ctx))
    ) {
      for (let i = 0; i < 20_000; i++) junk.push({ i, s: `x${i}` });
      junk = [];
      await sleep(10);
    }
    clearInterval(keep);
    const s = ctx.snapshot();
    for (const name of [
      MONITOR_STATS.loopDelayMean,
      MONITOR_STATS.loopDelayMax,
      MONITOR_STATS.loopUtilization,
      MONITOR_STATS.heapUsed,
      MONITOR_STATS.heapTotal,
      MONITOR_STATS.rss,
      MONITOR_STATS.external,
      MONITOR_STATS.cpuUser,
      MONITOR_STATS.cpuSystem,
      `${MONITOR_STATS.resources}Timeout`,
    ]) {
      expect(s.stats[name]?.n, name).toBeGreaterThanOrEqual(1);
    }
    expect(ctx.stats.get(MONITOR_STATS.rss).max).toBeGreaterThan(1024 * 1024);
    const utilization = ctx.stats.get(MONITOR_STATS.loopUtilization);
    expect(utilization.min).toBeGreaterThanOrEqual(0);
    expect(utilization.max).toBeLessThanOrEqual(1);
    expect(hasGc(ctx)).toBe(true);
    expect(ctx.durations.get(MONITOR_STATS.overhead).n).toBeGreaterThanOrEqual(3);
  });

  it('setMonitoring(false) stops sampling; a new interval applies when set', async () => {
    ctx = new Context({ watchdog: false, config: { monitorInterval: 10 } });
    await sleep(60);
    ctx.setMonitoring(false);
    expect(ctx.monitoring).toBe(false);
    const n = ctx.durations.get(MONITOR_STATS.overhead).n;
    expect(n).toBeGreaterThan(0);
    await sleep(60);
    expect(ctx.durations.get(MONITOR_STATS.overhead).n).toBe(n);
    ctx.config.monitorInterval = 10;
    ctx.setMonitoring(true);
    await sleep(60);
    expect(ctx.durations.get(MONITOR_STATS.overhead).n).toBeGreaterThan(n);
  });
});

function hasGc(ctx: Context): boolean {
  return ctx.durations.names().some((name) => name.startsWith(MONITOR_STATS.gc));
}

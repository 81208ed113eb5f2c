import { describe, expect, it } from 'vitest';
import { Context, getContext, runWithContext, setContext } from '../src/index.js';

describe('Context', () => {
  it('getContext() is created lazily, replaceable, and scoped by runWithContext()', async () => {
    const a = new Context({ monitoring: false, watchdog: false });
    const b = new Context({ monitoring: false, watchdog: false });
    try {
      setContext(a);
      expect(getContext()).toBe(a);
      await runWithContext(b, async () => {
        await new Promise((r) => setTimeout(r, 5));
        expect(getContext()).toBe(b);
      });
      expect(getContext()).toBe(a);
      await a.close();
      // A closed default is replaced on next use.
      const fresh = getContext();
      expect(fresh).not.toBe(a);
      expect(fresh.closed).toBe(false);
      await fresh.close();
    } finally {
      await a.close();
      await b.close();
    }
    expect(() => setContext({} as never)).toThrow(TypeError);
  });

  it('close() is idempotent, works through await using, and refuses restarts', async () => {
    let ctx: Context;
    {
      await using scoped = new Context();
      ctx = scoped;
      expect(ctx.monitoring).toBe(true);
      expect(ctx.watching).toBe(true);
    }
    expect(ctx.closed).toBe(true);
    expect(ctx.monitoring).toBe(false);
    expect(ctx.watching).toBe(false);
    await ctx.close();
    expect(() => ctx.setMonitoring(true)).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_CONTEXT_CLOSED' }),
    );
    await expect(ctx.setWatchdog(true)).rejects.toMatchObject({ code: 'SUP_ERR_CONTEXT_CLOSED' });
  });

  it('snapshot() is plain JSON covering every part', async () => {
    await using ctx = new Context({ watchdog: false, config: { monitorInterval: 10 } });
    ctx.stats.get('a').add(1);
    ctx.recent.addTraffic('ep', 'in', 'hello');
    ctx.log.get('app').info('START').success();
    ctx.sampleNow();
    const snap = JSON.parse(JSON.stringify(ctx.snapshot()));
    expect(Object.keys(snap).sort()).toEqual(
      [
        'componentRegistry',
        'components',
        'config',
        'createdAt',
        'durations',
        'intervals',
        'log',
        'markov',
        'monitor',
        'pid',
        'profiler',
        'recent',
        'registries',
        'sketches',
        'stats',
        'time',
        'version',
        'volatileStats',
        'watchdog',
      ].sort(),
    );
    expect(snap.stats.a.n).toBe(1);
    expect(snap.recent.events.ep[0].summary).toBe('hello');
    expect(snap.log.ring[0].action).toBe('START');
    expect(snap.monitor).toMatchObject({ running: true });
    expect(snap.monitor.samples).toBeGreaterThanOrEqual(1);
    expect(snap.registries.stats.maxNames).toBe(10_000);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { Context, runWithContext, timed } from '../src/index.js';

describe('timed', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('records sync, async, throwing and rejecting calls in durations', async () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const add = ctx.timed(function add(a: number, b: number) {
      return a + b;
    });
    const slow = ctx.timed(async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      return ms;
    }, 'slow');
    const bad = ctx.timed(() => {
      throw new Error('sync');
    }, 'bad');
    const rejecting = ctx.timed(async () => Promise.reject(new Error('async')), 'bad');
    expect(add(1, 2)).toBe(3);
    expect(await slow(25)).toBe(25);
    expect(() => bad()).toThrow('sync');
    await expect(rejecting()).rejects.toThrow('async');
    expect(ctx.durations.get('add').n).toBe(1);
    expect(ctx.durations.get('slow').min).toBeGreaterThanOrEqual(20);
    expect(ctx.durations.get('bad').n).toBe(2);
  });

  it('the free function reports into the context in scope', async () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const work = timed(() => 'done', 'work');
    expect(runWithContext(ctx, () => work())).toBe('done');
    expect(ctx.durations.get('work').n).toBe(1);
  });
});

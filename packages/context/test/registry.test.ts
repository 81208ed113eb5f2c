import { afterEach, describe, expect, it } from 'vitest';
import { Context, OVERFLOW_NAME } from '../src/index.js';

describe('registries', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('create faststat objects on first use, one per name', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    ctx.stats.get('req.size').add(10);
    ctx.stats.get('req.size').add(20);
    expect(ctx.stats.get('req.size').n).toBe(2);
    expect(ctx.stats.get('req.size').mean).toBe(15);
    ctx.durations.get('db').add(3);
    ctx.intervals.get('accept').tick();
    ctx.intervals.get('accept').tick();
    const t = ctx.markov.get('socket').makeTransitor('connecting');
    t.transition('connected');
    t.close();
    ctx.sketches.get('clients').add('10.0.0.1');
    ctx.sketches.get('clients').add('10.0.0.2');
    expect(ctx.sketches.get('clients').cardinality()).toBe(2);
    const snap = JSON.parse(JSON.stringify(ctx.snapshot()));
    expect(snap.stats['req.size'].n).toBe(2);
    expect(snap.durations.db.n).toBe(1);
    expect(snap.intervals.accept.n).toBe(1);
    expect(Object.keys(snap.markov)).toEqual(['socket']);
    expect(snap.sketches.clients).toBeDefined();
  });

  it('are bounded: names past the maximum share the overflow entry and are counted', () => {
    ctx = new Context({ monitoring: false, watchdog: false, maxStatNames: 3 });
    for (let i = 0; i < 10; i++) ctx.stats.get(`name${i}`).add(i);
    expect(ctx.stats.size).toBe(4);
    expect(ctx.stats.names()).toEqual(['name0', 'name1', 'name2', OVERFLOW_NAME]);
    expect(ctx.stats.get(OVERFLOW_NAME).n).toBe(7);
    expect(ctx.stats.info()).toMatchObject({ overflow: 7, maxNames: 3, badNames: 0 });
  });

  it('count a name that cannot be turned into a string instead of throwing', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const evil = {
      toString() {
        throw new Error('no name for you');
      },
    };
    expect(() => ctx!.stats.get(evil as never).add(1)).not.toThrow();
    expect(ctx.stats.info().badNames).toBe(1);
    expect(ctx.stats.get(OVERFLOW_NAME).n).toBe(1);
  });

  it('volatileStats drop the least recently used name', () => {
    ctx = new Context({ monitoring: false, watchdog: false, maxVolatileNames: 2 });
    ctx.volatileStats.get('a').add(1);
    ctx.volatileStats.get('b').add(1);
    ctx.volatileStats.get('a').add(1);
    ctx.volatileStats.get('c').add(1);
    expect(ctx.volatileStats.names().sort()).toEqual(['a', 'c']);
    expect(ctx.volatileStats.get('a').n).toBe(2);
    expect(ctx.volatileStats.info().evicted).toBe(1);
  });

  it('resetStats() forgets every name and the counters', () => {
    ctx = new Context({ monitoring: false, watchdog: false, maxStatNames: 1 });
    ctx.stats.get('a').add(1);
    ctx.stats.get('b').add(1);
    ctx.durations.get('d').add(1);
    ctx.resetStats();
    expect(ctx.stats.size).toBe(0);
    expect(ctx.durations.size).toBe(0);
    expect(ctx.stats.info().overflow).toBe(0);
  });
});

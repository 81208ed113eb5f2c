import { afterEach, describe, expect, it } from 'vitest';
import { Context, type TrafficEvent } from '../src/index.js';

describe('recent', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('keeps the last events per key, oldest first', () => {
    ctx = new Context({ monitoring: false, watchdog: false, recent: { size: 3 } });
    for (let i = 0; i < 5; i++) ctx.recent.add('k', i);
    expect(ctx.recent.get('k')).toEqual([2, 3, 4]);
    expect(ctx.recent.get('other')).toEqual([]);
  });

  it('summarises traffic with the middle elided, at a cost independent of payload size', () => {
    ctx = new Context({ monitoring: false, watchdog: false, recent: { summaryLength: 10 } });
    const huge = Buffer.alloc(50 * 1024 * 1024, 'x');
    huge.write('HEAD!', 0);
    huge.write('TAIL!', huge.length - 5);
    ctx.recent.addTraffic('db:5432', 'out', huge);
    ctx.recent.addTraffic('db:5432', 'in', Buffer.from([0x50, 0x0a, 0xff]));
    const [out, inbound] = ctx.recent.get('db:5432') as TrafficEvent[];
    expect(out).toMatchObject({ direction: 'out', size: huge.length });
    expect(out!.summary).toBe(`HEAD!…(${huge.length - 10} bytes)…TAIL!`);
    expect(inbound!.summary).toBe('P\\x0a\\xff');
    expect(Math.abs(inbound!.time - Date.now())).toBeLessThan(5000);
    expect(ctx.recent.info().elided).toBe(1);
    const evilKey = {
      toString() {
        throw new Error('no key');
      },
    };
    expect(() => ctx!.recent.add(evilKey as never, 1)).not.toThrow();
    expect(ctx.recent.get('<unprintable>')).toEqual([1]);
  });

  it('bounds the number of keys, dropping the least recently written', () => {
    ctx = new Context({ monitoring: false, watchdog: false, recent: { maxKeys: 2 } });
    ctx.recent.add('a', 1);
    ctx.recent.add('b', 1);
    ctx.recent.add('a', 2);
    ctx.recent.add('c', 1);
    expect(ctx.recent.keys().sort()).toEqual(['a', 'c']);
    expect(ctx.recent.info().evictedKeys).toBe(1);
  });

  it('disableRecent() frees the rings and counts what it refuses', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    ctx.recent.add('a', 1);
    ctx.disableRecent();
    ctx.recent.add('a', 2);
    ctx.recent.addTraffic('a', 'in', 'hello');
    expect(ctx.recent.keys()).toEqual([]);
    expect(ctx.recent.info()).toMatchObject({ enabled: false, dropped: 2 });
    expect(ctx.snapshot().recent.events).toEqual({});
  });
});

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Context, MAX_RECORD_BYTES } from '../src/index.js';
import { MAX_EVENT_BYTES } from '../src/log/safe.js';

const hostile = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  maxDepth: 6,
});

describe('ctx.snapshot() is always plain JSON', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('a recent event with a BigInt, a cycle or a throwing toJSON keeps the snapshot JSON', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    ctx.recent.add('k', {
      big: 1n,
      cycle,
      bad: {
        toJSON: () => {
          throw new Error('no');
        },
      },
    });
    const [event] = JSON.parse(JSON.stringify(ctx.snapshot())).recent.events.k;
    expect(event).toEqual({ big: '1', cycle: { self: '[Circular]' }, bad: '[Unserializable: no]' });
    ctx.recent.add('big', 'x'.repeat(100_000));
    const [text] = ctx.recent.get('big') as string[];
    expect(Buffer.byteLength(JSON.stringify(text))).toBeLessThanOrEqual(MAX_EVENT_BYTES);
  });

  it('fuzz: hostile names, events, traffic and log data never break snapshot()', () => {
    ctx = new Context({ monitoring: false, watchdog: false, logRingSize: 4 });
    const c = ctx;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('stat', 'duration', 'markov', 'sketch', 'event', 'traffic', 'log'),
            hostile,
            hostile,
          ),
          { maxLength: 8 },
        ),
        (ops) => {
          for (const [kind, name, value] of ops) {
            const key = name as string;
            if (kind === 'stat') c.stats.get(key).add(typeof value === 'number' ? value : 1);
            else if (kind === 'duration') c.durations.get(key).add(1);
            else if (kind === 'markov') c.markov.get(key).makeTransitor('s').close();
            else if (kind === 'sketch') c.sketches.get(key).add(String(typeof value));
            else if (kind === 'event') c.recent.add(key, value);
            else if (kind === 'traffic')
              c.recent.addTraffic(key, 'in', typeof value === 'string' ? value : 'x');
            else
              c.log
                .get(key)
                .info('FUZZ', value)
                .success(String(typeof value), { value });
          }
          const text = JSON.stringify(c.snapshot());
          const parsed = JSON.parse(text);
          for (const record of parsed.log.ring) {
            expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
          }
          for (const events of Object.values(parsed.recent.events) as unknown[][]) {
            for (const e of events) {
              expect(Buffer.byteLength(JSON.stringify(e) ?? '')).toBeLessThanOrEqual(
                MAX_EVENT_BYTES,
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

import { Context, type ContextSnapshot, mergeSnapshots } from '@support/context';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../src/prometheus/index.js';
import { parseExposition } from './prometheus-format.js';

const name = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom(
    'a.b',
    'a_b',
    'a b',
    'x',
    'x_count',
    'x_sum',
    'x_bucket',
    'x_total',
    '__overflow__',
  ),
);
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1e15, max: 1e15, noNaN: true }),
  fc.constantFrom(0, -0, 1e-12, 1e12, 1e13, Number.NaN, Number.POSITIVE_INFINITY),
);
const entries = fc.array(
  fc.tuple(fc.constantFrom('stats', 'durations', 'intervals', 'volatile'), name, value),
  {
    maxLength: 30,
  },
);

function contextWith(list: ReadonlyArray<readonly [string, string, number]>): ContextSnapshot {
  const ctx = new Context({ monitoring: false, watchdog: false });
  for (const [field, n, v] of list) {
    if (field === 'stats') ctx.stats.get(n).add(v);
    else if (field === 'durations') ctx.durations.get(n).add(v);
    else if (field === 'intervals') ctx.intervals.get(n).tick();
    else ctx.volatileStats.get(n).add(v);
    if (n.length > 0) ctx.markov.get(n).makeTransitor(n);
  }
  const snapshot = ctx.snapshot();
  void ctx.close();
  return snapshot;
}

describe('renderPrometheus over random statistics', () => {
  it('always parses strictly, in both formats, with and without workers', () => {
    fc.assert(
      fc.property(
        fc.array(entries, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('support_', '', 'x:'),
        fc.integer({ min: 1, max: 400 }),
        (workers, openMetrics, labelled, prefix, maxSeries) => {
          const snapshots = workers.map((w, i) => ({ ...contextWith(w), pid: 100 + i }));
          const merged = mergeSnapshots(snapshots);
          const text = renderPrometheus(merged, {
            openMetrics,
            prefix,
            maxSeries,
            workerLabels: labelled,
            workerSnapshots: snapshots.map((snapshot, i) => ({ worker: `w${i}`, snapshot })),
          });
          const families = parseExposition(text, openMetrics);
          const samples = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
          expect(samples).toBeLessThanOrEqual(maxSeries + 2);
          expect(families.size).toBeGreaterThanOrEqual(2);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('uncapped, renders one summary per statistic name with its count', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const snapshot = contextWith(list);
        const families = parseExposition(renderPrometheus(snapshot, { histograms: false }), false);
        const summaries = [...families.values()].filter(
          (f) => f.type === 'summary' && f.help.startsWith('Statistic '),
        );
        expect(summaries).toHaveLength(Object.keys(snapshot.stats).length);
        const counts = summaries
          .map((f) => f.samples.find((s) => s.name === `${f.name}_count`)?.value)
          .sort();
        expect(counts).toEqual(
          Object.values(snapshot.stats)
            .map((s) => s.n)
            .sort(),
        );
      }),
      { numRuns: 150 },
    );
  });
});

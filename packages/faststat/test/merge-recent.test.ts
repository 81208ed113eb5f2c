import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stats, type StatsSnapshot } from '../src/index.js';

const EPOCH = 1_700_000_000_000;

/** The newest `size` of both lists by a stable sort on time (the receiver's first on ties). */
function expected(mine: Array<[number, number]>, theirs: Array<[number, number]>, size: number) {
  const all = [...mine, ...theirs].map(([t, v], i) => ({ t, v, i }));
  all.sort((a, b) => a.t - b.t || a.i - b.i);
  return all.slice(-size).map(({ t, v }) => [t, v]);
}

describe('recent points of a merge', () => {
  it('are the newest of both sides, whether the snapshot lists them in time order or not', () => {
    const point = fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 9 }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(point, { maxLength: 12 }),
        fc.array(point, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (size, mineRaw, theirsRaw, ordered) => {
          // The receiver's own points arrive in time order (a clock never goes back).
          const mine = [...mineRaw].sort((a, b) => a[0] - b[0]);
          const theirsAt = ordered ? [...theirsRaw].sort((a, b) => a[0] - b[0]) : theirsRaw;
          let now = 0;
          const receiver = new Stats({ recentSize: size, clock: () => now, epochOriginMs: EPOCH });
          for (const [t, v] of mine) {
            now = t * 1e6;
            receiver.add(v);
          }
          const donor = new Stats({ recentSize: 64, clock: () => 0, epochOriginMs: EPOCH });
          for (const [, v] of theirsAt) donor.add(v);
          const snap = JSON.parse(JSON.stringify(donor.snapshot())) as StatsSnapshot;
          snap.recent = theirsAt.map(([t, v]) => [EPOCH + t, v]);
          snap.lastTime = EPOCH + Math.max(...theirsAt.map(([t]) => t));
          receiver.merge(snap);
          const got = receiver.snapshot().recent!.map(([ms, v]) => [ms - EPOCH, v]);
          expect(got).toEqual(expected(mine.slice(-size), theirsAt, size));
        },
      ),
      { numRuns: 300 },
    );
  });
});

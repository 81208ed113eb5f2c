import { describe, expect, it } from 'vitest';
import {
  Duration,
  FaststatErrorCode,
  Interval,
  Markov,
  type MarkovSnapshot,
  mergeMarkovSnapshots,
  mergeStatsSnapshots,
  Stats,
  type StatsSnapshot,
} from '../src/index.js';
import { fakeClock } from './random.js';

const viaJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('mergeStatsSnapshots', () => {
  it('keeps the type and what the first kept, and merges the data', () => {
    const a = new Duration({ topSize: 0, percentiles: [0.5, 0.99], interval: true });
    const b = new Duration({ topSize: 0, percentiles: [0.5, 0.99], interval: true });
    for (let i = 1; i <= 100; i++) a.add(i);
    for (let i = 101; i <= 300; i++) b.add(i);
    b.add(-1);
    const merged = mergeStatsSnapshots([viaJson(a.snapshot()), viaJson(b.snapshot())]);
    expect(merged.type).toBe('duration');
    expect(merged.n).toBe(300);
    expect(merged.negative).toBe(1);
    expect(merged.min).toBe(1);
    expect(merged.max).toBe(300);
    expect(merged.moments.mean).toBeCloseTo(150.5, 9);
    expect(merged.top).toBeNull();
    expect(merged.percentiles.map(([q]) => q)).toEqual([0.5, 0.99]);
    expect(merged.percentiles[0]?.[1]).toBeCloseTo(150, -1);
    const buckets = a.snapshot().buckets.map((c, i) => c + (b.snapshot().buckets[i] ?? 0));
    expect(merged.buckets).toEqual(buckets);
    expect(merged.interval?.n).toBe(298);
  });

  it('keeps interval snapshots intervals, and returns a single snapshot as is', () => {
    const clock = fakeClock();
    const i1 = new Interval({ clock: clock.clock });
    const i2 = new Interval({ clock: clock.clock });
    for (let k = 0; k < 5; k++) {
      i1.tick();
      i2.tick();
      clock.advance(10);
    }
    const merged = mergeStatsSnapshots([i1.snapshot(), i2.snapshot()]);
    expect(merged.type).toBe('interval');
    expect(merged.n).toBe(8);
    expect(merged.moments.mean).toBeCloseTo(10, 9);
    const only = i1.snapshot();
    expect(mergeStatsSnapshots([only])).toBe(only);
  });

  it('rejects an empty list and snapshots of different accuracy with a code', () => {
    expect(() => mergeStatsSnapshots([])).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_SNAPSHOT }),
    );
    const a = new Stats();
    const b = new Stats({ relativeAccuracy: 0.02 });
    a.add(1);
    b.add(2);
    expect(() => mergeStatsSnapshots([a.snapshot(), b.snapshot()])).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INCOMPATIBLE }),
    );
    expect(() => mergeStatsSnapshots([a.snapshot(), { n: 1 } as StatsSnapshot])).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_SNAPSHOT }),
    );
  });
});

describe('sketch stores merged in one step', () => {
  it('hold what adding every point to one Stats holds, collapse of the lowest bins included', () => {
    for (const maxBins of [16, 64, 2048]) {
      const whole = new Stats({ maxBins });
      const shards = [0, 1, 2].map(() => new Stats({ maxBins }));
      let x = 7;
      for (let i = 0; i < 3000; i++) {
        x = (x * 48271) % 2147483647;
        const v = (x / 2147483647) * 10 ** ((i % 9) - 3) * (i % 5 === 0 ? -1 : 1);
        whole.add(v);
        shards[i % 3]!.add(v);
      }
      const merged = mergeStatsSnapshots(shards.map((s) => viaJson(s.snapshot())));
      expect(merged.sketch).toEqual(whole.snapshot().sketch);
      expect(merged.percentiles).toEqual(whole.snapshot().percentiles);
    }
  });
});

describe('mergeMarkovSnapshots', () => {
  function socketMachine(clock: ReturnType<typeof fakeClock>, sockets: number): MarkovSnapshot {
    const m = new Markov({ clock: clock.clock });
    for (let i = 0; i < sockets; i++) {
      const t = m.makeTransitor('connecting');
      clock.advance(2);
      t.transition('connected');
      clock.advance(5);
      if (i % 2 === 0) t.close();
    }
    return viaJson(m.snapshot());
  }

  it('sums counts and merges durations, transitions and state counts per state', () => {
    const clock = fakeClock();
    const a = socketMachine(clock, 4);
    const b = socketMachine(clock, 3);
    const merged = mergeMarkovSnapshots([a, b]);
    expect(merged.type).toBe('markov');
    expect(merged.counts).toEqual({ connecting: 0, connected: 2 + 1 });
    expect(merged.leaked).toBe(0);
    expect(merged.stateDurations.connecting?.n).toBe(7);
    expect(merged.stateDurations.connecting?.type).toBe('duration');
    expect(merged.stateDurations.connecting?.moments.mean).toBeCloseTo(2, 9);
    expect(merged.stateDurations.connected?.n).toBe(2 + 2);
    const interval = merged.transitionIntervals.connecting?.connected;
    expect(interval?.type).toBe('interval');
    expect(interval?.n).toBe(3 + 2);
    expect(merged.stateCounts.connected?.n).toBe(
      (a.stateCounts.connected?.n ?? 0) + (b.stateCounts.connected?.n ?? 0),
    );
  });

  it('keeps states only one side has, and rejects what is not a Markov snapshot', () => {
    const clock = fakeClock();
    const m = new Markov({ clock: clock.clock });
    m.makeTransitor('idle');
    const merged = mergeMarkovSnapshots([socketMachine(clock, 1), m.snapshot()]);
    expect(Object.keys(merged.counts).sort()).toEqual(['connected', 'connecting', 'idle']);
    expect(merged.stateCounts.idle?.n).toBe(1);
    expect(() => mergeMarkovSnapshots([m.snapshot(), { type: 'stats' } as never])).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_SNAPSHOT }),
    );
  });
});

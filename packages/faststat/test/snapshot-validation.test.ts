import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Duration,
  FaststatError,
  FaststatErrorCode,
  HeavyHitters,
  HyperLogLog,
  Markov,
  mergeMarkovSnapshots,
  mergeStatsSnapshots,
  Stats,
  type StatsSnapshot,
  StreamSketch,
  validateMarkovSnapshot,
  validateStatsSnapshot,
} from '../src/index.js';
import { fakeClock } from './random.js';

const EPOCH = 1_700_000_000_000;

/** A Stats (or Duration) with a fixed fake clock, fed `values` one ms apart. */
function statsOf(values: number[], duration = false): Stats {
  const time = fakeClock();
  const options = { clock: time.clock, epochOriginMs: EPOCH, interval: true };
  const s = duration ? new Duration(options) : new Stats(options);
  for (const v of values) {
    time.advance(1);
    s.add(v);
  }
  return s;
}

/** A snapshot as it arrives from another process: through JSON. */
function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function rejects(fn: () => unknown, code: string, field?: string | RegExp): FaststatError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FaststatError);
  expect((error as FaststatError).code).toBe(code);
  if (field !== undefined) expect((error as FaststatError).field).toMatch(field);
  return error as FaststatError;
}

const base = () => wire(statsOf([1, 2, 3, 50, 0, -4]).snapshot());

describe('Stats snapshots are validated field by field', () => {
  it.each<[string, (s: StatsSnapshot) => void, string | RegExp]>([
    ['recent: -1', (s) => Object.assign(s, { recent: -1 }), 'recent'],
    ['top: -1', (s) => Object.assign(s, { top: -1 }), 'top'],
    ['windowCounts: "x"', (s) => Object.assign(s, { windowCounts: 'x' }), 'windowCounts'],
    ['moments.mean: "x"', (s) => Object.assign(s.moments, { mean: 'x' }), 'moments.mean'],
    ['moments.m2: -1', (s) => Object.assign(s.moments, { m2: -1 }), 'moments.m2'],
    ['moments.m2 past the spread', (s) => Object.assign(s.moments, { m2: 1e9 }), 'moments.m2'],
    ['max < min', (s) => Object.assign(s, { max: -10 }), 'max'],
    ['mean outside [min, max]', (s) => Object.assign(s.moments, { mean: 99 }), 'moments.mean'],
    ['sketch counts that do not sum to n', (s) => s.sketch.positive.counts.push(7), 'sketch'],
    [
      'a counts array past maxBins',
      (s) => {
        s.sketch.maxBins = 16;
        s.sketch.positive.counts = [...s.sketch.positive.counts, ...new Array(20).fill(0)];
      },
      'sketch.positive.counts',
    ],
    ['a negative bucket count', (s) => (s.buckets[3] = -1), 'buckets[3]'],
    ['a recent point out of range', (s) => (s.recent![0]![1] = 1e6), 'recent[0][1]'],
    ['a non-integer n', (s) => Object.assign(s, { n: 2.5 }), 'n'],
    ['a string percentile', (s) => (s.percentiles[0]![1] = '3' as never), 'percentiles[0][1]'],
    ['an interval of another n', (s) => Object.assign(s.interval!, { n: 99 }), /^interval\./],
    [
      'window counts past n',
      (s) => (s.windowCounts!.perMinute[63] = 1000),
      'windowCounts.perMinute',
    ],
    ['a short perHour', (s) => s.windowCounts!.perHour.pop(), 'windowCounts.perHour'],
  ])('%s: SUP_ERR_FASTSTAT_INVALID_SNAPSHOT naming the field', (_name, corrupt, field) => {
    const s = base();
    corrupt(s);
    const error = rejects(() => Stats.fromSnapshot(s), FaststatErrorCode.INVALID_SNAPSHOT, field);
    expect(error.message).toMatch(/^invalid snapshot: /);
    rejects(() => new Stats().merge(s), FaststatErrorCode.INVALID_SNAPSHOT, field);
  });

  it('a refused merge leaves the receiver exactly as it was', () => {
    const receiver = statsOf([10, 20, 30]);
    const before = JSON.stringify(receiver.snapshot());
    const coarse = wire(
      (() => {
        const s = new Stats({ relativeAccuracy: 0.02, clock: () => 0, epochOriginMs: EPOCH });
        s.add(5);
        return s.snapshot();
      })(),
    );
    rejects(() => receiver.merge(coarse), FaststatErrorCode.INCOMPATIBLE);
    // Valid main part, incompatible interval: refused before the moments change.
    const s = base();
    s.interval!.sketch.relativeAccuracy = 0.0100001;
    rejects(() => receiver.merge(s), FaststatErrorCode.INCOMPATIBLE);
    const late = base();
    late.sketch.negative.counts = [-1];
    rejects(() => receiver.merge(late), FaststatErrorCode.INVALID_SNAPSHOT);
    expect(JSON.stringify(receiver.snapshot())).toBe(before);
  });

  it('valid snapshots of every kind still merge', () => {
    const a = statsOf([1, 2, 3], true);
    const b = wire(statsOf([4, 5, 6], true).snapshot());
    const merged = Stats.fromSnapshot(wire(a.snapshot())).merge(b);
    expect(merged.n).toBe(6);
    expect(() => validateStatsSnapshot(wire(merged.snapshot()))).not.toThrow();
    expect(Stats.fromSnapshot(wire(new Stats().snapshot())).n).toBe(0);
  });
});

describe('sketch snapshots', () => {
  it('HyperLogLog: precision, type and register text are checked', () => {
    const snap = new HyperLogLog({ precision: 4 }).snapshot();
    rejects(
      () => HyperLogLog.fromSnapshot({ ...snap, precision: 99 }),
      FaststatErrorCode.INVALID_SNAPSHOT,
      'snapshot.precision',
    );
    rejects(
      () => HyperLogLog.fromSnapshot({ ...snap, registers: 5 as never }),
      FaststatErrorCode.INVALID_SNAPSHOT,
      'snapshot.registers',
    );
  });

  it('HeavyHitters: counts, duplicates and epsilon are checked', () => {
    const h = new HeavyHitters({ epsilon: 0.1 });
    for (const x of ['a', 'b', 'a']) h.add(x);
    const snap = h.snapshot();
    for (const [entries, field] of [
      [[['a', -1, 0]], 'snapshot.entries[0][1]'],
      [
        [
          ['a', 1, 0],
          ['a', 1, 0],
        ],
        'snapshot.entries[1][0]',
      ],
      [[[{}, 1, 0]], 'snapshot.entries[0][0]'],
      [[['a', 9, 0]], 'snapshot.entries[0][1]'],
    ] as const) {
      rejects(
        () => HeavyHitters.fromSnapshot({ ...snap, entries: entries as never }),
        FaststatErrorCode.INVALID_SNAPSHOT,
        field,
      );
    }
  });

  it('StreamSketch: a bad heavy-hitters part leaves the HyperLogLog untouched', () => {
    const other = new StreamSketch({ precision: 4 });
    other.add('x');
    const snap = wire(other.snapshot());
    snap.heavyHitters.n = -1;
    const receiver = new StreamSketch({ precision: 4 });
    rejects(
      () => receiver.merge(snap),
      FaststatErrorCode.INVALID_SNAPSHOT,
      'snapshot.heavyHitters.n',
    );
    expect(receiver.cardinality()).toBe(0);
  });
});

describe('Duration.end and sampleVariance', () => {
  it('end() of a non-number throws like add(); a NaN start is counted as non-finite', () => {
    const d = new Duration();
    expect(() => d.end('x' as never)).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_ARGUMENT }),
    );
    expect(() => d.add('x' as never)).toThrow(
      expect.objectContaining({ code: FaststatErrorCode.INVALID_ARGUMENT }),
    );
    expect(() => d.endAt(0, undefined as never)).toThrow(/Duration.endAt expects numbers/);
    d.end(Number.NaN);
    expect(d.nonFinite).toBe(1);
    expect(d.n).toBe(0);
  });

  it('sampleVariance divides by n - 1, variance by n', () => {
    const s = new Stats();
    s.add(1);
    expect(s.sampleVariance).toBeNaN();
    for (const x of [2, 3, 4]) s.add(x);
    expect(s.variance).toBeCloseTo(1.25, 12);
    expect(s.sampleVariance).toBeCloseTo(5 / 3, 12);
  });
});

// --- fuzz: random corruptions of valid snapshots ---------------------------

type Json = unknown;

/** Every path to a value inside `root` (the root excluded). */
function paths(root: Json): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const walk = (value: Json, path: Array<string | number>) => {
    if (value === null || typeof value !== 'object') return;
    const entries = Array.isArray(value)
      ? value.map((v, i) => [i, v] as const)
      : Object.entries(value as Record<string, Json>);
    for (const [key, child] of entries) {
      out.push([...path, key]);
      walk(child, [...path, key]);
    }
  };
  walk(root, []);
  return out;
}

const replacement = fc.oneof(
  fc.constantFrom(-1, 0, 1, 2.5, 1e308, -1e308, 2 ** 53, 'x', '', null, true, [], {}, 1e-320),
  fc.constant('__delete__'),
  fc.constant('__scale__'),
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(),
);

/** Applies one corruption at `pick` (an index into the paths) and returns the copy. */
function corrupt(snapshot: Json, pick: number, value: unknown): Json {
  const copy = wire(snapshot) as Record<string | number, Json>;
  const all = paths(copy);
  if (all.length === 0) return copy;
  const path = all[pick % all.length]!;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const key = path.at(-1)!;
  if (value === '__delete__') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (value === '__scale__') {
    parent[key] = typeof parent[key] === 'number' ? -(parent[key] as number) * 3 + 1 : 'x';
  } else parent[key] = value;
  return copy;
}

const data = fc.array(
  fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 1000 })),
  { maxLength: 40 },
);
const corruptions = fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 });

/** What a Stats with an interval can hold at most: full sketches, rings and windows. */
const bytesBound =
  2 * 65 * 8 +
  400 * 2 +
  2048 * 8 * 2 +
  1024 * 8 * 2 +
  2 * 8 * 64 * 2 +
  2 * 8 * 8 +
  96 * 8 +
  2 * 8 * 64;

function expectSane(s: Stats): void {
  expect(() => validateStatsSnapshot(wire(s.snapshot()))).not.toThrow();
  if (s.n > 0) {
    expect(Number.isFinite(s.mean)).toBe(true);
    expect(s.variance).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(s.quantile(0.5))).toBe(true);
    expect(s.quantile(0.5)).toBeGreaterThanOrEqual(s.min);
    expect(s.quantile(0.5)).toBeLessThanOrEqual(s.max);
  }
}

function onlyCodedErrors(error: unknown): void {
  expect(error).toBeInstanceOf(FaststatError);
  expect([FaststatErrorCode.INVALID_SNAPSHOT, FaststatErrorCode.INCOMPATIBLE]).toContain(
    (error as FaststatError).code,
  );
}

describe('fuzz: corrupted snapshots', () => {
  it('Stats / Duration: a coded error and an untouched receiver, or a sane result', () => {
    fc.assert(
      fc.property(data, data, fc.boolean(), corruptions, (mine, theirs, duration, cuts) => {
        let snapshot = wire(statsOf(theirs, duration).snapshot()) as Json;
        for (const [pick, value] of cuts) snapshot = corrupt(snapshot, pick, value);
        const receiver = statsOf(mine);
        const before = JSON.stringify(receiver.snapshot());
        try {
          receiver.merge(snapshot as StatsSnapshot);
          expectSane(receiver);
          // Bounded memory: whatever was merged, the receiver's own bounds hold.
          expect(receiver.byteLength).toBeLessThanOrEqual(bytesBound);
        } catch (error) {
          onlyCodedErrors(error);
          expect(JSON.stringify(receiver.snapshot())).toBe(before);
        }
        try {
          expectSane(Stats.fromSnapshot(snapshot as StatsSnapshot));
        } catch (error) {
          onlyCodedErrors(error);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('HyperLogLog, HeavyHitters, StreamSketch: a coded error, or a sketch that round-trips', () => {
    const items = fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ max: 50 })), {
      maxLength: 60,
    });
    fc.assert(
      fc.property(items, corruptions, (list, cuts) => {
        const source = new StreamSketch({ precision: 4, epsilon: 0.1 });
        for (const x of list) source.add(x);
        for (const [kind, snap, read] of [
          ['hll', source.hyperloglog.snapshot(), (s: never) => HyperLogLog.fromSnapshot(s)],
          ['hh', source.heavyHitters.snapshot(), (s: never) => HeavyHitters.fromSnapshot(s)],
          [
            'sketch',
            source.snapshot(),
            (s: never) => new StreamSketch({ precision: 4, epsilon: 0.1 }).merge(s),
          ],
        ] as const) {
          let snapshot = wire(snap) as Json;
          for (const [pick, value] of cuts) snapshot = corrupt(snapshot, pick, value);
          try {
            const result = read(snapshot as never);
            // What was accepted reads back from its own snapshot.
            const again = wire(result.snapshot());
            expect(() => read(again as never), kind).not.toThrow();
          } catch (error) {
            onlyCodedErrors(error);
          }
        }
      }),
      { numRuns: 800 },
    );
  });
});

describe('snapshot-to-snapshot merges', () => {
  it('mergeStatsSnapshots checks a lone snapshot instead of passing it on', () => {
    const s = base();
    s.moments.m2 = -1;
    rejects(
      () => mergeStatsSnapshots([s]),
      FaststatErrorCode.INVALID_SNAPSHOT,
      'snapshots[0].moments.m2',
    );
  });

  it('mergeMarkovSnapshots checks counts and every statistic', () => {
    const time = fakeClock();
    const m = new Markov({ clock: time.clock });
    const t = m.makeTransitor('idle');
    time.advance(5);
    t.transition('busy');
    const good = wire(m.snapshot());
    const badCount = wire(good);
    (badCount.counts as Record<string, unknown>).busy = '1';
    rejects(
      () => mergeMarkovSnapshots([good, badCount]),
      FaststatErrorCode.INVALID_SNAPSHOT,
      'snapshots[1].counts["busy"]',
    );
    const badStats = wire(good);
    badStats.stateDurations.idle!.max = -1;
    rejects(
      () => mergeMarkovSnapshots([badStats]),
      FaststatErrorCode.INVALID_SNAPSHOT,
      'snapshots[0].stateDurations["idle"].max',
    );
    expect(mergeMarkovSnapshots([good, good]).counts).toEqual({ idle: 0, busy: 2 });
  });

  it('fuzz: Markov snapshots, corrupted, merge to valid snapshots or fail with a code', () => {
    const states = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(states, corruptions, (path, cuts) => {
        const time = fakeClock();
        const m = new Markov({ clock: time.clock });
        const t = m.makeTransitor(path[0]!);
        for (const state of path.slice(1)) {
          time.advance(1);
          t.transition(state);
        }
        let snapshot = wire(m.snapshot()) as Json;
        for (const [pick, value] of cuts) snapshot = corrupt(snapshot, pick, value);
        try {
          const merged = mergeMarkovSnapshots([wire(m.snapshot()), snapshot as never]);
          expect(() => validateMarkovSnapshot(wire(merged))).not.toThrow();
        } catch (error) {
          onlyCodedErrors(error);
        }
      }),
      { numRuns: 400 },
    );
  });
});

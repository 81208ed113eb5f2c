import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Markov, type Transitor } from '../src/index.js';
import { fakeClock, rng } from './random.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('Markov', () => {
  it('tracks state durations, transition intervals and counts', () => {
    const c = fakeClock();
    const m = new Markov({ clock: c.clock });
    const t = m.makeTransitor('connecting');
    c.advance(5);
    t.transition('connected');
    c.advance(100);
    t.transition('in_use');
    c.advance(20);
    t.transition('connected');
    c.advance(10);
    t.transition('in_use');
    expect(t.state).toBe('in_use');
    expect(m.counts).toEqual({ connecting: 0, connected: 0, in_use: 1 });
    expect(m.stateDurations.get('connecting')!.mean).toBe(5);
    expect(m.stateDurations.get('connected')!.n).toBe(2);
    expect(m.stateDurations.get('connected')!.mean).toBe(55);
    // connected → in_use happened twice, 30 ms apart.
    const interval = m.transitionIntervals.get('connected')!.get('in_use')!;
    expect(interval.ticks).toBe(2);
    expect(interval.mean).toBe(30);
    t.close();
    t.close();
    t.transition('connected');
    expect(t.closed).toBe(true);
    expect(m.counts.in_use).toBe(0);
    expect(m.stateDurations.get('in_use')!.n).toBe(2);
    expect(() => m.makeTransitor('')).toThrow(/non-empty string/);
  });

  it('records each move on its own edge when a state alternates destinations', () => {
    const c = fakeClock();
    const m = new Markov({ clock: c.clock });
    const t = m.makeTransitor('idle');
    // idle → a, a → idle, idle → b, b → idle, … : the last-edge cache misses every time.
    for (let k = 0; k < 6; k++) {
      c.advance(1);
      t.transition(k % 2 === 0 ? 'a' : 'b');
      c.advance(2);
      t.transition('idle');
    }
    const fromIdle = m.transitionIntervals.get('idle')!;
    expect(fromIdle.get('a')!.ticks).toBe(3);
    expect(fromIdle.get('b')!.ticks).toBe(3);
    // Each edge is taken every 6 ms (two rounds of 3 ms).
    expect(fromIdle.get('a')!.mean).toBe(6);
    expect(fromIdle.get('b')!.mean).toBe(6);
    expect(m.transitionIntervals.get('a')!.get('idle')!.ticks).toBe(3);
    expect(m.stateDurations.get('a')!.mean).toBe(2);
    expect(m.stateDurations.get('idle')!.mean).toBe(1);
    expect(m.counts).toEqual({ idle: 1, a: 0, b: 0 });
    expect(m.stateCounts.get('a')!.n).toBe(6);
    expect(m.stateCounts.get('a')!.max).toBe(1);
  });

  it('keeps its snapshot shape: recent points and windows, no top or interval by default', () => {
    const c = fakeClock(1e12);
    const plain = new Markov({ clock: c.clock });
    const lean = new Markov({
      clock: c.clock,
      statsOptions: { recentSize: 0, windowCounts: false },
    });
    for (const m of [plain, lean]) {
      const t = m.makeTransitor('a');
      c.advance(1);
      t.transition('b');
    }
    const p = plain.snapshot();
    expect(Object.keys(p)).toEqual([
      'type',
      'counts',
      'leaked',
      'stateDurations',
      'transitionIntervals',
      'stateCounts',
    ]);
    expect(p.stateDurations.a).toMatchObject({ type: 'duration', n: 1, top: null, interval: null });
    expect(p.stateDurations.a?.recent).toEqual([[p.stateDurations.a?.lastTime, 1]]);
    expect(p.stateCounts.b?.windowCounts?.perMinute.reduce((x, y) => x + y, 0)).toBe(1);
    expect(p.transitionIntervals.a?.b).toMatchObject({ type: 'interval', n: 0 });
    const l = lean.snapshot();
    expect(l.stateDurations.a?.recent).toBeNull();
    expect(l.stateCounts.b?.windowCounts).toBeNull();
  });

  it('keeps counts exact under many transitors moving at random', () => {
    const m = new Markov();
    const states = ['a', 'b', 'c', 'd'];
    const random = rng(7);
    const live: Transitor[] = [];
    const expected: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    for (let step = 0; step < 20_000; step++) {
      const r = random();
      if (r < 0.3 || live.length === 0) {
        const s = states[Math.floor(random() * 4)]!;
        live.push(m.makeTransitor(s));
        expected[s]!++;
      } else if (r < 0.45) {
        const t = live.splice(Math.floor(random() * live.length), 1)[0]!;
        expected[t.state]!--;
        t.close();
      } else {
        const t = live[Math.floor(random() * live.length)]!;
        const next = states[Math.floor(random() * 4)]!;
        expected[t.state]!--;
        expected[next]!++;
        t.transition(next);
      }
    }
    expect(m.counts).toEqual(expected);
    expect(Object.values(m.counts).reduce((a, b) => a + b, 0)).toBe(live.length);
    const snap = JSON.parse(JSON.stringify(m.snapshot()));
    expect(snap.counts).toEqual(expected);
    expect(Object.keys(snap.transitionIntervals).sort()).toEqual(states);
  });

  it('corrects counts for transitors collected without close()', async () => {
    const m = new Markov();
    (() => {
      for (let i = 0; i < 100; i++) m.makeTransitor('leaky').transition('still-leaky');
    })();
    const kept = m.makeTransitor('kept');
    expect(m.counts['still-leaky']).toBe(100);
    for (let i = 0; i < 50 && m.leaked < 100; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(m.leaked).toBe(100);
    expect(m.counts['still-leaky']).toBe(0);
    expect(m.counts.kept).toBe(1);
    kept.close();
  });
});

import { describe, expect, it } from 'vitest';
import { Duration, Interval, nanotime } from '../src/index.js';
import { fakeClock } from './random.js';

describe('Duration', () => {
  it('records milliseconds since a nanotime reading', () => {
    const c = fakeClock(5e9);
    const d = new Duration({ clock: c.clock });
    const start = c.now;
    c.advance(12.5);
    expect(d.end(start)).toBe(12.5);
    c.advance(7.5);
    d.end(start);
    expect(d.n).toBe(2);
    expect(d.mean).toBe(16.25);
    expect(d.max).toBe(20);
  });

  it('measures real time with the default clock', async () => {
    const d = new Duration();
    const start = nanotime();
    await new Promise((r) => setTimeout(r, 20));
    const ms = d.end(start);
    expect(ms).toBeGreaterThanOrEqual(15);
    expect(ms).toBeLessThan(5000);
  });

  it('leaves out and counts negative durations', () => {
    const c = fakeClock(5e9);
    const d = new Duration({ clock: c.clock });
    expect(d.end(c.now + 1e6)).toBe(-1);
    d.add(-3);
    d.add(Number.NaN);
    d.add(2);
    expect(d.n).toBe(1);
    expect(d.negative).toBe(2);
    expect(d.nonFinite).toBe(1);
    expect(d.snapshot()).toMatchObject({ type: 'duration', negative: 2, nonFinite: 1, n: 1 });
  });
});

describe('Interval', () => {
  it('turns N ticks into N - 1 points of time between them', () => {
    const c = fakeClock();
    const i = new Interval({ clock: c.clock });
    expect(i.n).toBe(0);
    i.tick();
    expect(i.n).toBe(0);
    for (const gap of [10, 30, 20]) {
      c.advance(gap);
      i.tick();
    }
    expect(i.ticks).toBe(4);
    expect(i.n).toBe(3);
    expect(i.mean).toBe(20);
    expect(i.min).toBe(10);
    expect(i.max).toBe(30);
    expect(i.interval).toBeUndefined();
    expect(i.snapshot().type).toBe('interval');
  });
});

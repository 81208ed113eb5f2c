import { describe, expect, it } from 'vitest';
import { COARSE_MAX_USES, createCoarseClock } from '../src/coarse-clock.js';
import { Stats } from '../src/index.js';

/** A source that counts its reads and answers 1000 ns more each time. */
function countingSource() {
  const state = { reads: 0, read: () => ++state.reads * 1000 };
  return state;
}

/** Lets the microtasks already queued run (the coarse clock's expiry among them). */
const nextRun = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createCoarseClock', () => {
  it('serves one reading to at most maxUses reads in a synchronous run', () => {
    const source = countingSource();
    const clock = createCoarseClock(source.read, 4);
    const readings = Array.from({ length: 10 }, () => clock());
    expect(source.reads).toBe(3);
    expect(readings).toEqual([1000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 3000, 3000]);
  });

  it('reads the source afresh in the next run, however few reads were served', async () => {
    const source = countingSource();
    const clock = createCoarseClock(source.read, 1000);
    expect(clock()).toBe(1000);
    expect(clock()).toBe(1000);
    await Promise.resolve();
    // The expiry was queued with the first read, so it ran before this continuation.
    expect(clock()).toBe(2000);
    await nextRun();
    expect(clock()).toBe(3000);
    expect(clock()).toBe(3000);
    expect(source.reads).toBe(3);
  });

  it('queues one expiry per run, not one per refresh', async () => {
    const source = countingSource();
    const clock = createCoarseClock(source.read, 2);
    for (let i = 0; i < 100; i++) clock();
    expect(source.reads).toBe(50);
    await Promise.resolve();
    clock();
    // Had every refresh queued an expiry, a later one would expire this fresh reading too.
    await Promise.resolve();
    clock();
    expect(source.reads).toBe(52);
  });

  it('starts no timer and holds nothing that keeps the process alive', async () => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
    const before = timers();
    const clock = createCoarseClock(countingSource().read);
    for (let i = 0; i < 3 * COARSE_MAX_USES; i++) clock();
    expect(timers()).toBe(before);
    await nextRun();
  });
});

describe('Stats clocks', () => {
  it('an injected clock is read on every add, as before', () => {
    const source = countingSource();
    const s = new Stats({ clock: source.read });
    for (let i = 0; i < 5; i++) s.add(i);
    expect(source.reads).toBe(5);
    expect(s.recent.map((p) => p.time)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(s.lastTime).toBe(5000);
  });

  it('on the default clock, adds of one synchronous run share a reading, the next run reads anew', async () => {
    const s = new Stats();
    await nextRun();
    s.add(1);
    s.add(2);
    const [a, b] = s.recent;
    expect(b!.time).toBe(a!.time);
    await nextRun();
    s.add(3);
    expect(s.recent[2]!.time).toBeGreaterThan(a!.time);
  });

  it('with an interval, every add reads the precise clock', async () => {
    const s = new Stats({ interval: true });
    s.add(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    s.add(2);
    expect(s.interval!.n).toBe(1);
    expect(s.interval!.min).toBeGreaterThanOrEqual(4);
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_TIMING_SLOTS, TimingSlots } from '../src/timings.js';
import { fixture, poolPerTest } from './helpers.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const pools = poolPerTest();

describe('TimingSlots', () => {
  it('hands out each slot once until they are given back, then -1', () => {
    const slots = new TimingSlots(3);
    const taken = [slots.acquire(), slots.acquire(), slots.acquire()];
    expect(new Set(taken)).toEqual(new Set([0, 1, 2]));
    expect(slots.acquire()).toBe(-1);
    slots.release(1);
    expect(slots.acquire()).toBe(1);
    expect(new TimingSlots(MAX_TIMING_SLOTS * 2).buffer.byteLength).toBe(MAX_TIMING_SLOTS * 16);
  });
});

describe('call times', () => {
  it('records the run time the thread measured, for results and for task errors', async () => {
    const pool = pools.open({ name: 'timed', threads: 1 });
    expect(await pool.run(fixture('tasks.ts'), 'sleep', [60])).toBe(60);
    const err = await pool.run(fixture('tasks.ts'), 'fail', ['range']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    await nextTurn();
    const sleep = pools.ctx.durations.get('timed.sleep.duration(ms)');
    expect(sleep.n).toBe(1);
    expect(sleep.max).toBeGreaterThanOrEqual(55);
    expect(pools.ctx.durations.get('timed.fail.duration(ms)').n).toBe(1);
    expect(pools.ctx.durations.get('timed.fail.queued(ms)').n).toBe(1);
    expect(pool.status()).toMatchObject({ completed: 1, failed: 1, pending: 0 });
  });

  it('calls pending beyond the timing slots carry their times in the reply', async () => {
    const calls = MAX_TIMING_SLOTS + 50;
    const pool = pools.open({
      name: 'many',
      threads: 1,
      maxQueue: calls,
    });
    const double = pool.wrap(fixture('tasks.ts'), 'double', (n: number) => n * 2);
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => double(i)));
    expect(results.every((r, i) => r === i * 2)).toBe(true);
    await nextTurn();
    const duration = pools.ctx.durations.get('many.double.duration(ms)');
    expect(duration.n).toBe(calls);
    expect(Number.isFinite(duration.max)).toBe(true);
    expect(pool.status()).toMatchObject({ completed: calls, pending: 0 });
  });
});

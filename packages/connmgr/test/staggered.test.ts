import { describe, expect, it, vi } from 'vitest';
import {
  AllAttemptsFailedError,
  InvalidOptionError,
  SupersededError,
  staggeredRetries,
} from '../src/index.js';
import { sleep } from './helpers.js';

/** Resolves with `value` after `ms`, or rejects with the abort reason. */
function delayed<T>(ms: number, value: T, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

describe('staggeredRetries', () => {
  it('returns the first result without starting another when it is fast', async () => {
    const starts: number[] = [];
    const value = await staggeredRetries(
      (signal, attempt) => {
        starts.push(attempt);
        return delayed(5, 'fast', signal);
      },
      { delays: [200] },
    );
    expect(value).toBe('fast');
    await sleep(250);
    expect(starts).toEqual([0]);
  });

  it('starts the next attempt at once after a fast failure', async () => {
    const t0 = performance.now();
    const startedAt: number[] = [];
    const value = await staggeredRetries(
      async (signal, attempt) => {
        startedAt.push(performance.now() - t0);
        if (attempt === 0) throw new Error('refused');
        return delayed(5, `attempt ${attempt}`, signal);
      },
      { delays: [5_000] },
    );
    expect(value).toBe('attempt 1');
    expect(startedAt[1]).toBeLessThan(1_000);
  });

  it('rejects with every cause in attempt order, never an ambiguous undefined', async () => {
    const error = await staggeredRetries(
      async (_signal, attempt) => {
        if (attempt === 1) throw undefined;
        throw new Error(`failure ${attempt}`);
      },
      { delays: [10, 10] },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllAttemptsFailedError);
    const all = error as AllAttemptsFailedError;
    expect(all.code).toBe('SUP_ERR_CONNMGR_ALL_ATTEMPTS_FAILED');
    expect(all.errors).toHaveLength(3);
    expect((all.errors[0] as Error).message).toBe('failure 0');
    expect((all.errors[1] as Error).message).toBe('attempt 1 rejected with undefined');
    expect((all.errors[2] as Error).message).toBe('failure 2');
    expect(all.errors.every((e) => e !== undefined)).toBe(true);
  });

  it('aborts the losers with SupersededError and hands late winners to discard', async () => {
    const reasons: unknown[] = [];
    const discarded: string[] = [];
    const value = await staggeredRetries(
      async (signal, attempt) => {
        signal.addEventListener('abort', () => reasons.push(signal.reason));
        if (attempt === 0) {
          // Ignores its signal and succeeds late.
          await sleep(80);
          return 'late';
        }
        return delayed(5, 'second', signal);
      },
      { delays: [20], discard: (v) => discarded.push(v) },
    );
    expect(value).toBe('second');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(SupersededError);
    await sleep(120);
    expect(discarded).toEqual(['late']);
  });

  it('the caller signal aborts every attempt', async () => {
    const controller = new AbortController();
    const reasons: unknown[] = [];
    let started = 0;
    const error = await staggeredRetries(
      (signal) => {
        signal.addEventListener('abort', () => reasons.push(signal.reason));
        // Abort once all three attempts run (not at a fixed time: a loaded
        // machine may start the third one late).
        if (++started === 3) setTimeout(() => controller.abort(new Error('stop')), 5);
        return delayed(10_000, 'never', signal);
      },
      { delays: [10, 10], signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'stop' });
    expect(reasons).toHaveLength(3);
  });

  it('starts attempt i + 1 delays[i] ms after attempt i (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const startedAt: number[] = [];
      const t0 = Date.now();
      const result = staggeredRetries(
        (signal) => {
          startedAt.push(Date.now() - t0);
          return new Promise<string>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason)),
          );
        },
        { delays: [50, 100, 150, 200], signal: AbortSignal.timeout(10_000) },
      );
      result.catch(() => {});
      await vi.advanceTimersByTimeAsync(1_000);
      expect(startedAt).toEqual([0, 50, 150, 300, 500]);
      await vi.advanceTimersByTimeAsync(10_000);
      await expect(result).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('validates its options', async () => {
    await expect(staggeredRetries(() => 1, { delays: [-1] })).rejects.toThrow(InvalidOptionError);
    // @ts-expect-error not a function
    await expect(staggeredRetries(42)).rejects.toThrow(/fn must be a function/);
  });
});

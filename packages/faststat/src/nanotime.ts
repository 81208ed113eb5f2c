import { performance } from 'node:perf_hooks';

/**
 * Monotonic time in nanoseconds since this process's time origin, as a plain
 * number. It never goes backwards and is unaffected by wall-clock changes;
 * convert to wall-clock time with {@link nanotimeToEpochMs}.
 *
 * A JS number holds integers exactly up to 2^53 ns (104 days); past that the
 * resolution degrades gracefully to a few nanoseconds.
 */
export function nanotime(): number {
  return performance.now() * 1e6;
}

/** Wall-clock milliseconds since the Unix epoch for a {@link nanotime} reading. */
export function nanotimeToEpochMs(t: number): number {
  return performance.timeOrigin + t / 1e6;
}

/** A source of monotonic nanoseconds; injectable so tests can use a fake clock. */
export type Clock = () => number;

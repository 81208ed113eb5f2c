export {
  type Distribution,
  exactQuantile,
  normal,
  rng,
  sampleStream as stream,
} from '@support-tools/test-utils';

/** A fake monotonic clock in nanoseconds. */
export function fakeClock(start = 0): {
  clock: () => number;
  advance(ms: number): void;
  now: number;
} {
  const state = {
    now: start,
    clock: () => state.now,
    advance(ms: number) {
      state.now += ms * 1e6;
    },
  };
  return state;
}

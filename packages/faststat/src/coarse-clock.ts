import { type Clock, nanotime } from './nanotime.js';

/** Most reads one coarse reading serves before the clock is read again. */
export const COARSE_MAX_USES = 16;

const settled = Promise.resolve();

/**
 * A clock that reads `source` once and serves that reading to the next
 * `maxUses - 1` calls too, until the current synchronous run ends: a
 * promise reaction (a microtask, queued at most once per run) marks the
 * reading stale, so the next run reads `source` afresh. A reading is thus
 * never served after the run that took it, nor more than `maxUses` times.
 * No timer, nothing that keeps the process alive — the cached time of
 * nginx and of Go's runtime, refreshed by use instead of by a tick.
 * Reading `performance.now()` costs ≈30–45 ns, up to half of an add.
 */
export function createCoarseClock(source: Clock, maxUses: number = COARSE_MAX_USES): Clock {
  let reading = 0;
  let left = 0;
  let expiryQueued = false;
  const expire = () => {
    left = 0;
    expiryQueued = false;
  };
  const refresh = () => {
    reading = source();
    left = maxUses - 1;
    if (!expiryQueued) {
      expiryQueued = true;
      settled.then(expire);
    }
    return reading;
  };
  return () => {
    if (left > 0) {
      left--;
      return reading;
    }
    return refresh();
  };
}

/**
 * {@link nanotime} read at most once per 16 reads and per synchronous run,
 * shared by every Stats of the process on its default clock.
 */
export const coarseNanotime: Clock = createCoarseClock(nanotime);

import { getContext } from './current.js';
import { timedWith } from './timed.js';

/**
 * Wraps a sync or async `fn` so each call's duration is recorded in
 * `getContext().durations` under `name` (default `fn.name`).
 */
export function timed<A extends unknown[], R>(
  fn: (...args: A) => R,
  name?: string,
): (...args: A) => R {
  return timedWith(getContext, fn, name);
}

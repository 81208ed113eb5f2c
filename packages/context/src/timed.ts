import { nanotime } from '@support/faststat';
import type { Context } from './context.js';

/**
 * Wraps `fn` so every call's duration (in ms, including calls that throw or
 * reject) is added to `ctx().durations.get(name)`. The context and the stat
 * are looked up per call, so `resetStats()` and `runWithContext()` apply.
 */
export function timedWith<A extends unknown[], R>(
  ctx: () => Context,
  fn: (...args: A) => R,
  name?: string,
): (...args: A) => R {
  if (typeof fn !== 'function') throw new TypeError('timed(fn, name): fn must be a function');
  const statName = name ?? (fn.name || 'anonymous');
  return function timed(this: unknown, ...args: A): R {
    const start = nanotime();
    let result: R;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      ctx().durations.get(statName).end(start);
      throw error;
    }
    if (isThenable(result)) {
      const end = () => ctx().durations.get(statName).end(start);
      return result.then(
        (value) => {
          end();
          return value;
        },
        (error: unknown) => {
          end();
          throw error;
        },
      ) as R;
    }
    ctx().durations.get(statName).end(start);
    return result;
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

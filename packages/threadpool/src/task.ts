import type { Cloned } from './cloned.js';
import { ThreadPoolOptionError } from './errors.js';
import { type CallOptions, checkCallOptions, moduleUrl } from './options.js';
import type { TaskRef, ThreadPool } from './pool.js';

// Shared with worker.mjs through the global symbol registry, so that a task
// module loaded from dist/ in a thread and this module loaded from src/ on
// the main thread agree.
const IN_POOL_THREAD = Symbol.for('@support/threadpool:in-pool-thread');
const TASK = Symbol.for('@support/threadpool:task');

let dispatchEnabled = true;

/**
 * Turns dispatch to threads off (`false`: every task runs inline on the
 * calling thread, for tests and debugging) or back on.
 */
export function setThreadDispatch(enabled: boolean): void {
  if (typeof enabled !== 'boolean')
    throw new ThreadPoolOptionError('setThreadDispatch(enabled)', 'must be a boolean');
  dispatchEnabled = enabled;
}

/** Whether tasks are dispatched to threads (see {@link setThreadDispatch}). */
export function threadDispatch(): boolean {
  return dispatchEnabled;
}

/** True in a thread of a `ThreadPool`, where tasks run inline. */
export function inPoolThread(): boolean {
  return (globalThis as Record<symbol, unknown>)[IN_POOL_THREAD] === true;
}

/** A function that runs in a pool thread; see `cpuBound`. */
export interface Task<A extends unknown[], R> {
  /**
   * Runs the function in a pool thread (inline inside one) and resolves with
   * its result as the structured clone delivers it (a `Buffer` arrives as a
   * `Uint8Array`: `Buffer.from(result.buffer, result.byteOffset, result.length)`
   * gives a Buffer view without a copy).
   */
  (...args: A): Promise<Cloned<Awaited<R>>>;
  /** The plain function, run on the calling thread. */
  readonly raw: (...args: A) => R;
  /** File URL of the module the threads import to find the function. */
  readonly url: string;
  /** Export name of the function in that module. */
  readonly taskName: string;
  /** The same task with per-call options (signal, timeout, transferList). */
  with(options: CallOptions): (...args: A) => Promise<Cloned<Awaited<R>>>;
}

function runInline<A extends unknown[], R>(fn: (...args: A) => R, args: A): Promise<Awaited<R>> {
  try {
    return Promise.resolve(fn(...args)) as Promise<Awaited<R>>;
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Builds a task wrapper. `pool` is looked up at each call so that pools can
 * be configured after the wrapper is made. `predicate`, when given, decides
 * per call (on the calling thread) whether the call is worth a thread.
 */
export function makeTask<A extends unknown[], R>(
  where: string,
  pool: () => ThreadPool,
  url: string | URL,
  name: string,
  fn: (...args: A) => R,
  predicate?: (...args: A) => unknown,
): Task<A, R> {
  const ref: TaskRef = { url: moduleUrl(`${where}: url`, url), name };
  if (typeof name !== 'string' || name.length === 0)
    throw new ThreadPoolOptionError(`${where}: name`, 'must be the export name of the function');
  if (typeof fn !== 'function')
    throw new ThreadPoolOptionError(`${where}: fn`, 'must be a function');
  if (predicate !== undefined && typeof predicate !== 'function')
    throw new ThreadPoolOptionError(`${where}: predicate`, 'must be a function');

  const call = (args: A, options: CallOptions | undefined): Promise<Awaited<R>> => {
    if (!dispatchEnabled || inPoolThread()) return runInline(fn, args);
    if (predicate !== undefined) {
      try {
        if (!predicate(...args)) return runInline(fn, args);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return pool().call(ref, args, options) as Promise<Awaited<R>>;
  };
  const task = ((...args: A) => call(args, undefined)) as Task<A, R>;
  Object.defineProperties(task, {
    raw: { value: fn },
    url: { value: ref.url },
    taskName: { value: name },
    name: { value: name },
    [TASK]: { value: true },
    with: {
      value: (options: CallOptions) => {
        checkCallOptions(options);
        return (...args: A) => call(args, options);
      },
    },
  });
  return task;
}

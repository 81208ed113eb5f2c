import { getPool } from './pools.js';
import { makeTask, type Task } from './task.js';

const io = () => getPool('io');
const cpu = () => getPool('cpu');

/**
 * Runs `fn` in the `io_bound` pool: for opaque blocking clients (a
 * synchronous database driver) and file or stdin reads. `url` is the module
 * that exports the result under `name` (`import.meta.url`, or `__filename`
 * in CommonJS); every pool thread imports it to find the function.
 */
export function ioBound<A extends unknown[], R>(
  url: string | URL,
  name: string,
  fn: (...args: A) => R,
): Task<A, R> {
  return makeTask('ioBound', io, url, name, fn);
}

/**
 * Runs `fn` in the `cpu_bound` pool: for serialization, parsing, hashing and
 * other CPU-heavy work that would block the event loop. Same arguments as
 * {@link ioBound}.
 */
export function cpuBound<A extends unknown[], R>(
  url: string | URL,
  name: string,
  fn: (...args: A) => R,
): Task<A, R> {
  return makeTask('cpuBound', cpu, url, name, fn);
}

/**
 * Like {@link cpuBound}, but `predicate` is called first on the calling
 * thread with the same arguments; when it returns false the call runs inline
 * (a thread hop costs more than small work).
 */
export function cpuBoundIf<A extends unknown[], R>(
  predicate: (...args: A) => unknown,
  url: string | URL,
  name: string,
  fn: (...args: A) => R,
): Task<A, R> {
  return makeTask('cpuBoundIf', cpu, url, name, fn, predicate);
}

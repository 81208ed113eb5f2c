// Task module for the benchmark: imported by bench/run.mjs and by every
// pool thread (from the built package).
import { cpuBound } from '@support/threadpool';

/** Returns its argument: the cost measured is the dispatch alone. */
export const noop = cpuBound(import.meta.url, 'noop', (x) => x);

/** The same function as a plain export, for piscina called directly (one argument). */
export function plainNoop(x) {
  return x;
}

/** Blocks its thread for `ms` without spinning (fills the pool in the flood test). */
export const sleep = cpuBound(import.meta.url, 'sleep', (ms) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
});

/**
 * Synchronous JSON parsing for at least `ms`: `json` is parsed again and
 * again until that much time has passed. Returns the number of parses.
 */
export const parseFor = cpuBound(import.meta.url, 'parseFor', (json, ms) => {
  const end = performance.now() + ms;
  let parses = 0;
  while (performance.now() < end) {
    JSON.parse(json);
    parses++;
  }
  return parses;
});

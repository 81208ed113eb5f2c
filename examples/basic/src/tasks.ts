// Task module of the CPU route: imported on the main thread and by the pool
// thread, so its top level only defines functions.
import { cpuBound } from '@support/core';

/** Counts the primes below `limit` with a sieve: a few ms of pure CPU per 10^6. */
export function countPrimes(limit: number): number {
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let i = 2; i < limit; i++) {
    if (composite[i] === 1) continue;
    count++;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}

/** countPrimes in the cpu_bound thread pool, so the event loop keeps serving meanwhile. */
export const primesBelow = cpuBound(import.meta.url, 'primesBelow', countPrimes);

import { processWide } from '@support/context';
import { ThreadPoolError, ThreadPoolOptionError } from './errors.js';
import { resolvePoolOptions, type ThreadPoolOptions } from './options.js';
import { type CloseOptions, livePools, ThreadPool, type ThreadPoolStatus } from './pool.js';

/** The two shared pools: blocking I/O and CPU-heavy work. */
export type PoolKind = 'io' | 'cpu';

/**
 * Defaults of the shared pools. `io_bound` has ten threads for opaque
 * blocking clients and file reads; `cpu_bound` has one, so serialization and
 * crypto take turns instead of fighting over the CPU (processes give
 * parallelism; threads here give preemption).
 */
export const sharedPoolDefaults: Readonly<Record<PoolKind, Readonly<ThreadPoolOptions>>> = {
  io: { name: 'io_bound', threads: 10, minThreads: 1, maxQueue: 1024, idleTimeout: 30_000 },
  cpu: { name: 'cpu_bound', threads: 1, minThreads: 1, maxQueue: 256, idleTimeout: 30_000 },
};

// Once per process, whichever build (ESM or CommonJS) configures or uses them.
const { configured, shared } = processWide('@support/threadpool:shared-pools@1', () => ({
  configured: {
    io: { ...sharedPoolDefaults.io },
    cpu: { ...sharedPoolDefaults.cpu },
  } as Record<PoolKind, ThreadPoolOptions>,
  shared: {} as Partial<Record<PoolKind, ThreadPool>>,
}));

function checkKind(where: string, kind: unknown): PoolKind {
  if (kind !== 'io' && kind !== 'cpu')
    throw new ThreadPoolOptionError(where, "must be 'io' or 'cpu'");
  return kind;
}

/** The shared pool of that kind, created on first use (again after `closePools()`). */
export function getPool(kind: PoolKind): ThreadPool {
  checkKind('getPool(kind)', kind);
  let pool = shared[kind];
  if (pool === undefined || pool.closed) {
    pool = new ThreadPool(configured[kind]);
    shared[kind] = pool;
  }
  return pool;
}

/**
 * Sets options of the shared pools, spread over the defaults. Call it before
 * the first task runs (or after `closePools()`); once a pool has started it
 * throws `SUP_ERR_THREADPOOL_ALREADY_STARTED`.
 */
export function configurePools(options: Partial<Record<PoolKind, ThreadPoolOptions>>): void {
  if (typeof options !== 'object' || options === null)
    throw new ThreadPoolOptionError('configurePools(options)', 'must be an object');
  for (const key of Object.keys(options)) checkKind(`configurePools(options).${key}`, key);
  const next: Partial<Record<PoolKind, ThreadPoolOptions>> = {};
  for (const kind of Object.keys(options) as PoolKind[]) {
    const started = shared[kind];
    if (started !== undefined && !started.closed)
      throw new ThreadPoolError(
        'SUP_ERR_THREADPOOL_ALREADY_STARTED',
        `configurePools: the ${started.name} pool is already running; configure before first use or after closePools()`,
        { pool: started.name },
      );
    const merged = { ...sharedPoolDefaults[kind], ...options[kind] };
    // Validate now, naming the option as the caller wrote it.
    resolvePoolOptions(merged, `configurePools(options).${kind}`);
    next[kind] = merged;
  }
  Object.assign(configured, next);
}

/**
 * Closes the shared pools (and forgets them; later tasks start fresh ones).
 * Each drains for up to `timeout` ms, then cancels what is left; see
 * `ThreadPool.close`. Afterwards they keep nothing alive.
 */
export async function closePools(options?: CloseOptions): Promise<void> {
  const pools = [shared.io, shared.cpu].filter((p): p is ThreadPool => p !== undefined);
  shared.io = undefined;
  shared.cpu = undefined;
  await Promise.all(pools.map((p) => p.close(options)));
}

/** Status of every open pool, shared and custom, for meta pages. */
export function poolStatus(): ThreadPoolStatus[] {
  return livePools().map((p) => p.status());
}

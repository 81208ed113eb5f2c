import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { type Context, type ContextSnapshot, type Level, mergeSnapshots } from '@support/context';
import { codes, MetaError } from './errors.js';

/**
 * Where the meta app gets its facts: one process's Context, or the workers of
 * a prefork arbiter. Duck-typed so meta never imports prefork.
 */
export interface MetaSource {
  readonly kind: 'process' | 'prefork';
  /** One worker's snapshot, or every worker's merged when `worker` is undefined. */
  snapshot(worker?: string): Promise<ContextSnapshot>;
  /** `[]` in one process; the arbiter's `status().workers` under prefork. */
  workers(): Promise<unknown[]>;
  /** Process information, or the arbiter's `status()`. */
  status(): unknown;
  /**
   * Runs an operation on a worker's Context (on every worker for `reset-stats`
   * and `log-level` when `worker` is undefined): `snapshot`, `profile:start`,
   * `profile:stop` (→ `{ hotspots, profile }`), `reset-stats`, `log-level`
   * (`{ level, logger? }`), `heap-snapshot` (`{ dir }` → `{ path }`).
   */
  command(worker: string | undefined, op: string, arg?: unknown): Promise<unknown>;
  /**
   * Prefork: every worker's own snapshot in one round (wedged workers left
   * out), so `/metrics` can sum gauges exactly and label series by worker.
   */
  workerSnapshots?(): Promise<Array<{ worker: string; snapshot: ContextSnapshot }>>;
}

/** The operations `command()` knows. */
export const OPS = [
  'snapshot',
  'profile:start',
  'profile:stop',
  'reset-stats',
  'log-level',
  'heap-snapshot',
] as const;

/** Hotspots kept by `profile:stop`. */
const HOTSPOT_LIMIT = 200;

/**
 * Runs one operation on a Context in this process; what a prefork worker does
 * for `workerCommand`, and what `localSource` does directly.
 */
export async function runContextOp(ctx: Context, op: string, arg?: unknown): Promise<unknown> {
  switch (op) {
    case 'snapshot':
      return ctx.snapshot();
    case 'profile:start':
      await ctx.setSampling(true);
      return { sampling: true };
    case 'profile:stop': {
      if (!ctx.sampling) {
        throw new MetaError(codes.NO_PROFILE, 'profile:stop: the profiler is not sampling');
      }
      // Stopping takes the final segment; reading the profile back through a
      // file is the one way the Context hands out a whole .cpuprofile.
      await ctx.setSampling(false);
      const hotspots = await ctx.hotspots(HOTSPOT_LIMIT);
      const dir = await mkdtemp(join(tmpdir(), 'support-meta-'));
      try {
        const file = join(dir, 'profile.cpuprofile');
        await ctx.saveProfile(file);
        return { hotspots, profile: JSON.parse(await readFile(file, 'utf8')) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    case 'reset-stats':
      ctx.resetStats();
      return { reset: true };
    case 'log-level': {
      const { level, logger } = (arg ?? {}) as { level?: unknown; logger?: unknown };
      if (logger !== undefined && typeof logger !== 'string') {
        throw new MetaError(codes.INVALID_OPTION, 'log-level: logger must be a string');
      }
      ctx.log.setLevel(level as Level, logger);
      return { level, logger: logger ?? null };
    }
    case 'heap-snapshot': {
      const { dir } = (arg ?? {}) as { dir?: unknown };
      if (typeof dir !== 'string' || dir === '') {
        throw new MetaError(codes.INVALID_OPTION, 'heap-snapshot: dir must be a directory path');
      }
      const name = `heap-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.heapsnapshot`;
      return { path: writeHeapSnapshot(join(dir, name)) };
    }
    default:
      throw new MetaError(codes.UNKNOWN_OP, `unknown operation ${JSON.stringify(op)}`);
  }
}

/** The facts of one process, from its Context. */
export function localSource(context: Context): MetaSource {
  if (context === null || typeof context !== 'object' || typeof context.snapshot !== 'function') {
    throw new MetaError(codes.INVALID_OPTION, 'localSource(context): context must be a Context');
  }
  return {
    kind: 'process',
    async snapshot() {
      return context.snapshot();
    },
    async workers() {
      return [];
    },
    status() {
      return {
        kind: 'process',
        pid: process.pid,
        ppid: process.ppid,
        uptimeMs: Math.round(process.uptime() * 1000),
      };
    },
    async command(_worker, op, arg) {
      return runContextOp(context, op, arg);
    },
  };
}

/** The parts of a prefork Arbiter that meta uses. */
export interface ArbiterLike {
  status(): unknown;
  collectSnapshots(options?: {
    timeout?: number;
  }): Promise<Array<{ id: number; pid: number; snapshot: ContextSnapshot | null; error?: string }>>;
  workerCommand(
    id: number,
    op: string,
    arg?: unknown,
    options?: { timeout?: number },
  ): Promise<unknown>;
}

/** Options of {@link arbiterSource}. */
export interface ArbiterSourceOptions {
  /**
   * Milliseconds to wait for each worker's answer; a wedged worker is left out.
   * @default 2000
   */
  timeout?: number;
}

function workerList(status: unknown): Array<{ id: number; [key: string]: unknown }> {
  const workers = (status as { workers?: unknown } | null)?.workers;
  return Array.isArray(workers) ? (workers as Array<{ id: number }>) : [];
}

/**
 * The facts of a preforked service: every worker's snapshot merged (faststat's
 * merge), or one worker's; operations sent to the chosen worker.
 */
export function arbiterSource(
  arbiter: ArbiterLike,
  options: ArbiterSourceOptions = {},
): MetaSource {
  if (
    arbiter === null ||
    typeof arbiter !== 'object' ||
    typeof arbiter.status !== 'function' ||
    typeof arbiter.collectSnapshots !== 'function' ||
    typeof arbiter.workerCommand !== 'function'
  ) {
    throw new MetaError(
      codes.INVALID_OPTION,
      'arbiterSource(arbiter): arbiter must have status(), collectSnapshots() and workerCommand()',
    );
  }
  const timeout = options.timeout ?? 2000;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new MetaError(codes.INVALID_OPTION, 'options.timeout must be a positive number of ms');
  }
  const workerId = (worker: string): number => {
    const id = Number(worker);
    if (!Number.isInteger(id) || !workerList(arbiter.status()).some((w) => w.id === id)) {
      throw new MetaError(codes.NO_WORKER, `no worker ${JSON.stringify(worker)}`);
    }
    return id;
  };
  const collect = async () => {
    const results = await arbiter.collectSnapshots({ timeout });
    return results.flatMap((r) =>
      r.snapshot ? [{ worker: String(r.id), snapshot: r.snapshot }] : [],
    );
  };
  return {
    kind: 'prefork',
    async snapshot(worker) {
      if (worker !== undefined) {
        const id = workerId(worker);
        return (await arbiter.workerCommand(id, 'snapshot', undefined, {
          timeout,
        })) as ContextSnapshot;
      }
      const parts = await collect();
      if (parts.length === 0) {
        throw new MetaError(codes.NO_WORKER, 'no worker answered with a snapshot');
      }
      return mergeSnapshots(parts.map((p) => p.snapshot));
    },
    workerSnapshots: collect,
    async workers() {
      return workerList(arbiter.status());
    },
    status() {
      return arbiter.status();
    },
    async command(worker, op, arg) {
      if (worker !== undefined)
        return arbiter.workerCommand(workerId(worker), op, arg, { timeout });
      const ids = workerList(arbiter.status()).map((w) => w.id);
      if (op === 'reset-stats' || op === 'log-level') {
        const results = await Promise.allSettled(
          ids.map((id) => arbiter.workerCommand(id, op, arg, { timeout })),
        );
        return ids.map((id, i) => {
          const r = results[i] as PromiseSettledResult<unknown>;
          return r.status === 'fulfilled'
            ? { worker: id, result: r.value }
            : {
                worker: id,
                error: r.reason instanceof Error ? r.reason.message : String(r.reason),
              };
        });
      }
      const first = ids[0];
      if (first === undefined) throw new MetaError(codes.NO_WORKER, 'no worker is running');
      return arbiter.workerCommand(first, op, arg, { timeout });
    },
  };
}

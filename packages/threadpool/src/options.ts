import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TransferListItem } from 'node:worker_threads';
import type { Context } from '@support/context';
import { didYouMean } from '@support/context';
import { ThreadPoolOptionError } from './errors.js';

/** Options of a {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /**
   * Name of the pool; prefixes its stats (`<name>.duration(ms)`, …) and names it in errors.
   * @default 'pool'
   */
  name?: string;
  /**
   * Maximum number of threads.
   * @default 1
   */
  threads?: number;
  /**
   * Threads kept alive while idle (started on first use). At most `threads`.
   * @default 1
   */
  minThreads?: number;
  /**
   * Calls allowed to wait for a thread on top of the ones running. When that
   * many are waiting, a new call rejects at once with `QueueFullError`.
   * @default 256
   */
  maxQueue?: number;
  /**
   * Milliseconds an idle thread above `minThreads` lives before it exits.
   * @default 30000
   */
  idleTimeout?: number;
  /**
   * Milliseconds `close()` lets queued and running calls finish before it
   * terminates the threads (0 cancels them at once).
   * @default 30000
   */
  closeTimeout?: number;
  /**
   * Modules (file URLs or paths) every thread imports before its first task,
   * e.g. a TypeScript loader when task modules are `.ts` (see the README).
   * @default []
   */
  preload?: ReadonlyArray<string | URL>;
  /**
   * Node.js flags for the threads (`--conditions=…`, …).
   * @default the process's own `execArgv`
   */
  execArgv?: readonly string[];
  /**
   * V8 heap limits per thread, as `worker_threads.Worker` takes them.
   * @default none
   */
  resourceLimits?: {
    maxOldGenerationSizeMb?: number;
    maxYoungGenerationSizeMb?: number;
    codeRangeSizeMb?: number;
    stackSizeMb?: number;
  };
  /**
   * Where stats go.
   * @default the context in scope at each call (`getContext()`)
   */
  context?: Context;
}

/** Per-call options, given through `task.with({...})`. */
export interface CallOptions {
  /**
   * Aborts the call: a queued call never runs; a running one has its thread
   * terminated (and replaced). Rejects with `TaskAbortedError`.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * Milliseconds before the call is aborted with `TaskTimeoutError`, counted
   * from the call (time spent queued included).
   * @default none
   */
  timeout?: number;
  /**
   * `ArrayBuffer`s, `MessagePort`s, … among the arguments to move to the
   * thread rather than copy.
   * @default none
   */
  transferList?: readonly TransferListItem[];
}

export interface ResolvedPoolOptions {
  name: string;
  threads: number;
  minThreads: number;
  maxQueue: number;
  idleTimeout: number;
  closeTimeout: number;
  preload: string[];
  execArgv: string[] | undefined;
  resourceLimits: ThreadPoolOptions['resourceLimits'];
  context: Context | undefined;
}

/** Defaults every pool starts from. */
export const poolDefaults = {
  name: 'pool',
  threads: 1,
  minThreads: 1,
  maxQueue: 256,
  idleTimeout: 30_000,
  closeTimeout: 30_000,
} as const;

const KNOWN = new Set<string>([
  'name',
  'threads',
  'minThreads',
  'maxQueue',
  'idleTimeout',
  'closeTimeout',
  'preload',
  'execArgv',
  'resourceLimits',
  'context',
]);

function nonNegativeInteger(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new ThreadPoolOptionError(where, `must be a non-negative integer, got ${String(value)}`);
  return value;
}

function fileUrl(where: string, value: unknown): string {
  if (value instanceof URL) return value.href;
  if (typeof value === 'string') {
    if (isAbsolute(value)) return pathToFileURL(value).href;
    if (URL.canParse(value)) return new URL(value).href;
  }
  throw new ThreadPoolOptionError(where, 'must be a file URL, a URL or an absolute path');
}

/** Validates `options` (naming the bad one) and fills in defaults. */
export function resolvePoolOptions(
  options: ThreadPoolOptions | undefined,
  prefix = 'options',
): ResolvedPoolOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new ThreadPoolOptionError(prefix, 'must be an object');
  const o = options ?? {};
  for (const key of Object.keys(o))
    if (!KNOWN.has(key))
      throw new ThreadPoolOptionError(
        `${prefix}.${key}`,
        `is not an option${didYouMean(key, [...KNOWN])}`,
      );
  const name = o.name ?? poolDefaults.name;
  if (typeof name !== 'string' || name.length === 0)
    throw new ThreadPoolOptionError(`${prefix}.name`, 'must be a non-empty string');
  const threads = nonNegativeInteger(`${prefix}.threads`, o.threads ?? poolDefaults.threads);
  if (threads < 1) throw new ThreadPoolOptionError(`${prefix}.threads`, 'must be at least 1');
  const minThreads = nonNegativeInteger(
    `${prefix}.minThreads`,
    o.minThreads ?? Math.min(poolDefaults.minThreads, threads),
  );
  if (minThreads > threads)
    throw new ThreadPoolOptionError(`${prefix}.minThreads`, `must be at most threads (${threads})`);
  const preload = o.preload ?? [];
  if (!Array.isArray(preload))
    throw new ThreadPoolOptionError(`${prefix}.preload`, 'must be an array');
  const execArgv = o.execArgv;
  if (
    execArgv !== undefined &&
    (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string'))
  )
    throw new ThreadPoolOptionError(`${prefix}.execArgv`, 'must be an array of strings');
  if (
    o.resourceLimits !== undefined &&
    (typeof o.resourceLimits !== 'object' || o.resourceLimits === null)
  )
    throw new ThreadPoolOptionError(`${prefix}.resourceLimits`, 'must be an object');
  if (o.context !== undefined && (typeof o.context !== 'object' || o.context === null))
    throw new ThreadPoolOptionError(`${prefix}.context`, 'must be a Context');
  return {
    name,
    threads,
    minThreads,
    maxQueue: nonNegativeInteger(`${prefix}.maxQueue`, o.maxQueue ?? poolDefaults.maxQueue),
    idleTimeout: nonNegativeInteger(
      `${prefix}.idleTimeout`,
      o.idleTimeout ?? poolDefaults.idleTimeout,
    ),
    closeTimeout: nonNegativeInteger(
      `${prefix}.closeTimeout`,
      o.closeTimeout ?? poolDefaults.closeTimeout,
    ),
    preload: preload.map((p, i) => fileUrl(`${prefix}.preload[${i}]`, p)),
    execArgv: execArgv === undefined ? undefined : [...execArgv],
    resourceLimits: o.resourceLimits,
    context: o.context,
  };
}

/** Validates per-call options. Returns undefined when there is nothing to do. */
export function checkCallOptions(options: CallOptions): CallOptions {
  if (typeof options !== 'object' || options === null)
    throw new ThreadPoolOptionError('with(options)', 'must be an object');
  for (const key of Object.keys(options))
    if (key !== 'signal' && key !== 'timeout' && key !== 'transferList')
      throw new ThreadPoolOptionError(
        `with(options).${key}`,
        `is not an option${didYouMean(key, ['signal', 'timeout', 'transferList'])}`,
      );
  const { signal, timeout, transferList } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new ThreadPoolOptionError('with(options).signal', 'must be an AbortSignal');
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' || !(timeout > 0) || timeout > 2 ** 31 - 1)
  )
    throw new ThreadPoolOptionError(
      'with(options).timeout',
      'must be a positive number of milliseconds',
    );
  if (transferList !== undefined && !Array.isArray(transferList))
    throw new ThreadPoolOptionError('with(options).transferList', 'must be an array');
  return options;
}

/** Normalizes a task module given as `import.meta.url`, a file URL, a URL or an absolute path (`__filename`). */
export function moduleUrl(where: string, value: unknown): string {
  return fileUrl(where, value);
}

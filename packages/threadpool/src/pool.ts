import { performance } from 'node:perf_hooks';
import type { TransferListItem } from 'node:worker_threads';
import { type Context, getContext, processWide } from '@support/context';
import { Piscina } from 'piscina';
import { doneChannel, dropChannel, workerErrorChannel } from './diagnostics.js';
import {
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  ThreadPoolOptionError,
  WorkerExitedError,
} from './errors.js';
import {
  type CallOptions,
  checkCallOptions,
  moduleUrl,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  type ThreadPoolOptions,
} from './options.js';
import { TaskRegistry } from './registry.js';
import { isTaskErrorReply, rebuildError } from './remote-error.js';
import { recordLater, type StatNames, sizeOf, statNames } from './stats.js';
import { makeTask, type Task } from './task.js';
import { TimingSlots } from './timings.js';
import { WORKER_FILE } from './worker-file.js';

/** A task as the pool threads find it: a module URL and an export name. */
export interface TaskRef {
  /** File URL of the module. */
  readonly url: string;
  /** Export name of the function in that module. */
  readonly name: string;
}

/** What a pool reports about itself (for meta pages and health checks). */
export interface ThreadPoolStatus {
  name: string;
  /** Threads alive now. */
  threads: number;
  /** The `threads` option. */
  maxThreads: number;
  /** Threads running a call now. */
  busy: number;
  /** Calls waiting for a thread. */
  queued: number;
  /** The `maxQueue` option. */
  maxQueue: number;
  /** Calls accepted and not yet settled (running + queued). */
  pending: number;
  /** Calls that returned a value. */
  completed: number;
  /** Calls that settled with an error (task errors, aborts, timeouts, crashes). */
  failed: number;
  /** Calls rejected at once because the queue was full. */
  dropped: number;
  /** Threads that died while running calls or outside of one. */
  workerErrors: number;
  /** Piscina's estimate of busy time over capacity since the pool started, 0 to 1. */
  utilization: number;
  closed: boolean;
}

/** Options of {@link ThreadPool.close}. */
export interface CloseOptions {
  /**
   * Milliseconds to let queued and running calls finish; what is left then
   * rejects with `PoolClosedError` and the threads are terminated. 0 cancels
   * everything at once.
   * @default the pool's `closeTimeout` (30000)
   */
  timeout?: number;
}

/** One call on its way through a thread: what settling it needs. */
interface Call {
  readonly ctx: Context;
  readonly task: TaskRef;
  readonly entry: Registered;
  readonly args: readonly unknown[];
  /** Its timing slot (timings.ts), -1 when none was free. */
  readonly slot: number;
  readonly submitted: number;
  /** Calls already pending when it arrived. */
  readonly depth: number;
}

/** What the pool keeps per task wrapper: its number in the registry and its stat names. */
interface Registered {
  /** -1 when the registry was full: its calls carry URL and name. */
  readonly id: number;
  readonly names: StatNames;
}

// Constant; read once (the getter costs more than a field on every call).
const timeOrigin = performance.timeOrigin;

// Every open pool in the process, whichever build created it (poolStatus() lists them all).
const live = processWide('@support/threadpool:live-pools@1', () => new Set<ThreadPool>());

/** Every pool that exists and is not closed, for status pages. */
export function livePools(): ThreadPool[] {
  return [...live];
}

/**
 * A bounded pool of worker threads on piscina. Calls name their function by
 * module URL and export name; see {@link ThreadPool.wrap} for the typed form.
 * Threads start on first use; `close()` ends them.
 */
export class ThreadPool {
  readonly name: string;
  private readonly options: ResolvedPoolOptions;
  private piscina: Piscina | undefined;
  private pendingCount = 0;
  private completedCount = 0;
  private failedCount = 0;
  private droppedCount = 0;
  private workerErrorCount = 0;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly registry = new TaskRegistry();
  private readonly timings: TimingSlots;
  // Per task wrapper; weak because run() makes a TaskRef per call.
  private readonly registered = new WeakMap<TaskRef, Registered>();
  private readonly droppedName: string;
  // Held here because the context's component registry holds it weakly.
  private readonly component = { kind: 'threadpool', status: () => this.status() };
  private readonly unregister: () => void;

  constructor(options?: ThreadPoolOptions) {
    this.options = resolvePoolOptions(options);
    this.name = this.options.name;
    this.droppedName = `${this.name}.dropped`;
    // One slot per call the bound lets in (up to MAX_TIMING_SLOTS).
    this.timings = new TimingSlots(this.options.threads + this.options.maxQueue);
    live.add(this);
    this.unregister = (this.options.context ?? getContext()).components.register(
      this.name,
      this.component,
    );
  }

  /** The `threads` option. */
  get threads(): number {
    return this.options.threads;
  }

  /** The `maxQueue` option. */
  get maxQueue(): number {
    return this.options.maxQueue;
  }

  /** Calls accepted and not yet settled. */
  get pending(): number {
    return this.pendingCount;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Runs export `name` of the module at `url` in a pool thread with `args`.
   * Rejects (never throws) with `QueueFullError` at once when the queue is
   * full, and with the task's own error, rebuilt, when it throws.
   */
  run(
    url: string | URL,
    name: string,
    args: readonly unknown[],
    options?: CallOptions,
  ): Promise<unknown> {
    let task: TaskRef;
    try {
      if (typeof name !== 'string' || name.length === 0)
        throw new ThreadPoolOptionError('run(url, name)', 'name must be a non-empty string');
      if (!Array.isArray(args)) throw new ThreadPoolOptionError('run(…, args)', 'must be an array');
      if (options !== undefined) checkCallOptions(options);
      task = { url: moduleUrl('run(url)', url), name };
    } catch (error) {
      return Promise.reject(error);
    }
    return this.call(task, args, options);
  }

  /**
   * A typed task that runs `fn` in this pool; `url` and `name` say where the
   * threads find it (see `cpuBound`).
   */
  wrap<A extends unknown[], R>(url: string | URL, name: string, fn: (...args: A) => R): Task<A, R> {
    return makeTask(`${this.name}.wrap`, () => this, url, name, fn);
  }

  /** @internal The dispatch path shared by `run()` and task wrappers (arguments already checked). */
  call(task: TaskRef, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    if (this.isClosed)
      return Promise.reject(new PoolClosedError(this.name, `closed; ${task.name} was not run`));
    const o = this.options;
    if (this.pendingCount >= o.threads + o.maxQueue) return this.drop(task);
    const signal = options?.signal;
    if (signal?.aborted)
      return Promise.reject(new TaskAbortedError(this.name, task.name, signal.reason));
    const ctx = o.context ?? getContext();
    const depth = this.pendingCount++;
    return this.dispatch(ctx, task, args, options, depth);
  }

  private drop(task: TaskRef): Promise<never> {
    this.droppedCount++;
    (this.options.context ?? getContext()).stats.get(this.droppedName).add(1);
    if (dropChannel.hasSubscribers)
      dropChannel.publish({ pool: this.name, task: task.name, pending: this.pendingCount });
    return Promise.reject(
      new QueueFullError(this.name, this.options.maxQueue, this.options.threads),
    );
  }

  private dispatch(
    ctx: Context,
    task: TaskRef,
    args: readonly unknown[],
    options: CallOptions | undefined,
    depth: number,
  ): Promise<unknown> {
    // Started first: if piscina refuses its options, no timing slot is held.
    const piscina = this.pool();
    const entry = this.registeredAs(task);
    const slot = this.timings.acquire();
    const call: Call = { ctx, task, entry, args, slot, submitted: performance.now(), depth };
    // The task's number when it is registered (see registry.ts), else its URL and name.
    const message =
      entry.id >= 0 ? [entry.id, slot, ...args] : { u: task.url, n: task.name, s: slot, a: args };
    if (options === undefined || (options.timeout === undefined && options.signal === undefined)) {
      // The common path: no timer, no listeners, no async function frame.
      const runOptions =
        options?.transferList === undefined
          ? undefined
          : { transferList: [...options.transferList] };
      return piscina.run(message, runOptions as never).then(
        (value: unknown) => this.succeeded(call, value),
        (error: unknown) => {
          throw this.failed(call, error, false, undefined, undefined);
        },
      );
    }
    return this.dispatchWithDeadline(call, message, options);
  }

  private async dispatchWithDeadline(
    call: Call,
    message: unknown,
    options: CallOptions,
  ): Promise<unknown> {
    const { timeout, signal: userSignal } = options;
    let controller: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let onUserAbort: (() => void) | undefined;
    if (timeout !== undefined) {
      controller = new AbortController();
      const c = controller;
      timer = setTimeout(() => {
        timedOut = true;
        c.abort(new TaskTimeoutError(this.name, call.task.name, timeout));
      }, timeout);
      timer.unref();
      if (userSignal !== undefined) {
        onUserAbort = () => c.abort(userSignal.reason);
        userSignal.addEventListener('abort', onUserAbort, { once: true });
      }
    }
    let value: unknown;
    try {
      const runOptions: { signal?: AbortSignal; transferList?: TransferListItem[] } = {
        signal: controller?.signal ?? userSignal,
      };
      if (options.transferList !== undefined) runOptions.transferList = [...options.transferList];
      value = await this.pool().run(message, runOptions as never);
    } catch (error) {
      throw this.failed(call, error, timedOut, timeout, userSignal);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (onUserAbort !== undefined) userSignal?.removeEventListener('abort', onUserAbort);
    }
    return this.succeeded(call, value);
  }

  /** Settles a call whose task returned: records it and gives back its value. */
  private succeeded(call: Call, reply: unknown): unknown {
    this.settled();
    let value: unknown;
    let start: number;
    let durationMs: number;
    if (call.slot >= 0) {
      value = reply;
      start = this.timings.start(call.slot);
      durationMs = this.timings.duration(call.slot);
      this.timings.release(call.slot);
    } else {
      // No slot was free: the thread sent the times along (see worker.mjs).
      [value, start, durationMs] = reply as [unknown, number, number];
    }
    this.completedCount++;
    this.recordDone(call, true, start, durationMs, sizeOf(call.args[0]) ?? sizeOf(value));
    return value;
  }

  /**
   * Settles a call that was rejected: a task's error comes back rebuilt and
   * recorded; anything else means the thread or piscina failed the call.
   */
  private failed(
    call: Call,
    error: unknown,
    timedOut: boolean,
    timeout: number | undefined,
    userSignal: AbortSignal | undefined,
  ): Error {
    this.settled();
    if (call.slot >= 0) this.timings.release(call.slot);
    this.failedCount++;
    if (isTaskErrorReply(error)) {
      this.recordDone(call, false, error.start, error.duration, sizeOf(call.args[0]));
      return rebuildError(error.record, this.name);
    }
    recordLater(call.ctx, call.entry.names, call.depth, Number.NaN, 0, undefined);
    return this.translate(error, call.task, timedOut, timeout, userSignal);
  }

  /** Stats and the done channel for a call that reached a thread. */
  private recordDone(
    call: Call,
    ok: boolean,
    start: number,
    durationMs: number,
    len: number | undefined,
  ): void {
    // The thread reports its start as epoch ms (its own timeOrigin + now).
    const queuedMs = Math.max(0, start - (timeOrigin + call.submitted));
    recordLater(call.ctx, call.entry.names, call.depth, queuedMs, durationMs, len);
    if (doneChannel.hasSubscribers)
      doneChannel.publish({ pool: this.name, task: call.task.name, ok, queuedMs, durationMs });
  }

  private translate(
    error: unknown,
    task: TaskRef,
    timedOut: boolean,
    timeout: number | undefined,
    userSignal: AbortSignal | undefined,
  ): Error {
    if (timedOut && timeout !== undefined)
      return new TaskTimeoutError(this.name, task.name, timeout);
    if (userSignal?.aborted) return new TaskAbortedError(this.name, task.name, userSignal.reason);
    if (this.isClosed)
      return new PoolClosedError(this.name, `closed before ${task.name} finished`, error);
    if (error instanceof Error && error.message === 'Task queue is at limit') {
      // piscina's own bound is set above ours; this is a backstop.
      this.droppedCount++;
      return new QueueFullError(this.name, this.options.maxQueue, this.options.threads);
    }
    return new WorkerExitedError(this.name, task.name, error);
  }

  private settled(): void {
    this.pendingCount--;
    if (this.pendingCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private registeredAs(task: TaskRef): Registered {
    let entry = this.registered.get(task);
    if (entry === undefined) {
      entry = {
        id: this.registry.idOf(task.url, task.name),
        names: statNames(this.name, task.name),
      };
      this.registered.set(task, entry);
    }
    return entry;
  }

  private pool(): Piscina {
    if (this.piscina !== undefined) return this.piscina;
    const o = this.options;
    const piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: o.minThreads,
      maxThreads: o.threads,
      idleTimeout: o.idleTimeout,
      // Our own bound (checked before every call) is the one that counts.
      maxQueue: o.maxQueue + o.threads,
      concurrentTasksPerWorker: 1,
      workerData: {
        preload: o.preload,
        registry: this.registry.buffer,
        timings: this.timings.buffer,
      },
      ...(o.execArgv === undefined ? {} : { execArgv: o.execArgv }),
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
    });
    // A thread that dies with no call on it is reported here; without a
    // listener the 'error' event would crash the process.
    piscina.on('error', (error: unknown) => this.workerError(error));
    this.piscina = piscina;
    return piscina;
  }

  private workerError(error: unknown): void {
    this.workerErrorCount++;
    if (workerErrorChannel.hasSubscribers) workerErrorChannel.publish({ pool: this.name, error });
  }

  /** Threads, load and counters, for meta pages and health checks. */
  status(): ThreadPoolStatus {
    const p = this.piscina;
    const threads = p?.threads.length ?? 0;
    const queued = p?.queueSize ?? 0;
    return {
      name: this.name,
      threads,
      maxThreads: this.options.threads,
      busy: p === undefined ? 0 : Math.max(0, Math.min(threads, this.pendingCount - queued)),
      queued,
      maxQueue: this.options.maxQueue,
      pending: this.pendingCount,
      completed: this.completedCount,
      failed: this.failedCount,
      dropped: this.droppedCount,
      workerErrors: this.workerErrorCount,
      utilization: p?.utilization ?? 0,
      closed: this.isClosed,
    };
  }

  /**
   * Stops taking calls (new ones reject with `PoolClosedError`), lets queued
   * and running calls finish for up to `timeout` ms, then rejects what is
   * left with `PoolClosedError` and terminates the threads. Afterwards
   * nothing of this pool keeps the process alive. Safe to call twice.
   */
  close(options?: CloseOptions): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    let timeout: number;
    try {
      if (options !== undefined && (typeof options !== 'object' || options === null))
        throw new ThreadPoolOptionError('close(options)', 'must be an object');
      timeout = options?.timeout ?? this.options.closeTimeout;
      if (typeof timeout !== 'number' || !(timeout >= 0))
        throw new ThreadPoolOptionError('close(options).timeout', 'must be a non-negative number');
    } catch (error) {
      return Promise.reject(error);
    }
    this.isClosed = true;
    live.delete(this);
    this.unregister();
    this.closing = (async () => {
      if (timeout > 0 && this.pendingCount > 0) await this.idle(timeout);
      const piscina = this.piscina;
      if (piscina !== undefined) await piscina.destroy();
    })();
    return this.closing;
  }

  /** Resolves when no call is pending, or after `timeout` ms. */
  private idle(timeout: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeout);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

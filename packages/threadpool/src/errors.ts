/** Stable codes for every error this package raises; callers match on `code`. */
export type ThreadPoolErrorCode =
  | 'SUP_ERR_THREADPOOL_OPTION'
  | 'SUP_ERR_THREADPOOL_QUEUE_FULL'
  | 'SUP_ERR_THREADPOOL_CLOSED'
  | 'SUP_ERR_THREADPOOL_ABORTED'
  | 'SUP_ERR_THREADPOOL_TIMEOUT'
  | 'SUP_ERR_THREADPOOL_WORKER_EXITED'
  | 'SUP_ERR_THREADPOOL_TASK_NOT_FOUND'
  | 'SUP_ERR_THREADPOOL_ALREADY_STARTED';

/** Base class of the errors `@support/threadpool` raises itself. */
export class ThreadPoolError extends Error {
  readonly code: ThreadPoolErrorCode;
  /** The pool the call went to, when there was one. */
  readonly pool: string | undefined;

  constructor(
    code: ThreadPoolErrorCode,
    message: string,
    options?: { cause?: unknown; pool?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ThreadPoolError';
    this.code = code;
    this.pool = options?.pool;
  }
}

/** The pool's queue is at its bound: the call was rejected at once and counted as dropped. */
export class QueueFullError extends ThreadPoolError {
  declare readonly code: 'SUP_ERR_THREADPOOL_QUEUE_FULL';
  /** The queue bound that was hit (`maxQueue`). */
  readonly maxQueue: number;
  /**
   * The "overloaded, try later" marker that `@support/web` (and any caller)
   * reads by duck typing: answer 503 with `Retry-After`, do not log a stack.
   */
  readonly overloaded = true as const;
  /** Suggested wait before retrying, in seconds. */
  readonly retryAfter: number = 1;

  constructor(pool: string, maxQueue: number, threads: number) {
    super(
      'SUP_ERR_THREADPOOL_QUEUE_FULL',
      `${pool}: queue full (${threads} running, ${maxQueue} queued); call rejected`,
      { pool },
    );
    this.name = 'QueueFullError';
    this.maxQueue = maxQueue;
  }
}

/** The pool is closed or closing: the call was not run, or was cut off by `close()`. */
export class PoolClosedError extends ThreadPoolError {
  declare readonly code: 'SUP_ERR_THREADPOOL_CLOSED';

  constructor(pool: string, message: string, cause?: unknown) {
    super('SUP_ERR_THREADPOOL_CLOSED', `${pool}: ${message}`, { pool, cause });
    this.name = 'PoolClosedError';
  }
}

/** The call's `signal` aborted; `cause` is the signal's reason. */
export class TaskAbortedError extends ThreadPoolError {
  declare readonly code: 'SUP_ERR_THREADPOOL_ABORTED';

  constructor(pool: string, task: string, reason: unknown) {
    super('SUP_ERR_THREADPOOL_ABORTED', `${pool}: ${task} was aborted`, { pool, cause: reason });
    this.name = 'TaskAbortedError';
  }
}

/** The call's `timeout` passed before it finished. */
export class TaskTimeoutError extends ThreadPoolError {
  declare readonly code: 'SUP_ERR_THREADPOOL_TIMEOUT';
  /** The timeout that passed, in milliseconds. */
  readonly timeout: number;

  constructor(pool: string, task: string, timeout: number) {
    super('SUP_ERR_THREADPOOL_TIMEOUT', `${pool}: ${task} timed out after ${timeout} ms`, {
      pool,
    });
    this.name = 'TaskTimeoutError';
    this.timeout = timeout;
  }
}

/** The pool thread running the call crashed or exited; the thread has been replaced. */
export class WorkerExitedError extends ThreadPoolError {
  declare readonly code: 'SUP_ERR_THREADPOOL_WORKER_EXITED';

  constructor(pool: string, task: string, cause: unknown) {
    const why =
      cause instanceof Error
        ? cause.message
        : typeof cause === 'object' && cause !== null
          ? // Errors Node cannot serialize out of a thread (e.g. a DataCloneError
            // for a result that cannot be cloned) arrive as empty objects.
            'it failed with an error that could not be passed back; is the result cloneable?'
          : String(cause);
    super(
      'SUP_ERR_THREADPOOL_WORKER_EXITED',
      `${pool}: the thread running ${task} died before it finished (${why}); the thread is replaced`,
      { pool, cause },
    );
    this.name = 'WorkerExitedError';
  }
}

/** The task module has no function under the task's export name (raised in the pool thread). */
export class TaskNotFoundError extends ThreadPoolError {
  declare readonly code: 'SUP_ERR_THREADPOOL_TASK_NOT_FOUND';

  constructor(message: string, pool?: string) {
    super('SUP_ERR_THREADPOOL_TASK_NOT_FOUND', message, { pool });
    this.name = 'TaskNotFoundError';
  }
}

/**
 * An unknown option or an invalid option value. It is a `TypeError` (as the
 * platform does for bad arguments) carrying the same stable `code` field.
 */
export class ThreadPoolOptionError extends TypeError {
  readonly code = 'SUP_ERR_THREADPOOL_OPTION' as const;
  /** The option that was rejected, e.g. `options.threads`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option} ${message}`);
    this.name = 'ThreadPoolOptionError';
    this.option = option;
  }
}

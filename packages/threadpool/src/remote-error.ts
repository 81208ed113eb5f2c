import { TaskNotFoundError } from './errors.js';

/** What a pool thread sends back for a thrown value (see worker.mjs). */
export interface ErrorRecord {
  name: string;
  className: string;
  message: string;
  stack?: string;
  props?: Record<string, unknown>;
  cause?: ErrorRecord;
  /** Set when the thrown value was not an object (its `typeof`). */
  thrown?: string;
}

/** The key that marks what a pool thread throws for a task's error (worker.mjs sets it). */
export const TASK_ERROR = '@support/threadpool:task-error';

/** A task's error as its pool thread throws it: the record and the call's times. */
export interface TaskErrorReply {
  record: ErrorRecord;
  /** When the thread started the call, as epoch ms. */
  start: number;
  /** How long it ran, in ms. */
  duration: number;
}

/** Whether a rejection from piscina is a task's error (else the thread failed). */
export function isTaskErrorReply(value: unknown): value is TaskErrorReply {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[TASK_ERROR] === true
  );
}

const STANDARD: Record<string, new (message: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Rebuilds an error thrown in a pool thread: standard classes come back as
 * themselves, others as an `Error` whose `name` is the original class name;
 * message, stack (the thread's), `code` and other primitive own fields are
 * kept, and so is the `cause` chain.
 */
export function rebuildError(record: ErrorRecord, pool: string): Error {
  let error: Error;
  if (record.props?.code === 'SUP_ERR_THREADPOOL_TASK_NOT_FOUND') {
    error = new TaskNotFoundError(record.message, pool);
  } else {
    const Ctor = STANDARD[record.className] ?? Error;
    error = new Ctor(record.message);
    if (error.name !== record.name)
      Object.defineProperty(error, 'name', {
        value: record.name,
        writable: true,
        configurable: true,
        enumerable: false,
      });
  }
  if (record.stack !== undefined)
    Object.defineProperty(error, 'stack', {
      value: record.stack,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  if (record.props !== undefined)
    for (const [key, value] of Object.entries(record.props))
      if (!(key in error) || key === 'code')
        (error as unknown as Record<string, unknown>)[key] = value;
  if (record.cause !== undefined)
    Object.defineProperty(error, 'cause', {
      value: rebuildError(record.cause, pool),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  return error;
}

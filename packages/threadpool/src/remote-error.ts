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

import { nanotime, nanotimeToEpochMs } from '@support/faststat';
import { formatMessage, safeString, serializeError } from './format.js';
import type { Level, LogRecord, Outcome } from './record.js';

/** What an action needs from its logger: where to send the finished record. */
export interface ActionOwner {
  readonly name: string;
  finish(record: LogRecord): void;
}

/**
 * One unit of work being logged, lithoxyl-style: it begins when created and
 * becomes a record when it ends with an outcome. Ending it twice keeps the
 * first outcome.
 */
export class Action {
  /** Monotonic nanoseconds when the action began. */
  readonly beginNs: number;
  private ended = false;

  constructor(
    private readonly owner: ActionOwner,
    readonly level: Level,
    readonly name: string,
    readonly detail: string | undefined,
  ) {
    this.beginNs = nanotime();
  }

  /** True once an outcome was recorded. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the action as planned. `{field}`s in `message` are filled from `data`. */
  success(message = '', data?: Record<string, unknown>): void {
    this.end('success', message, data, undefined);
  }

  /** Ends the action with a handled failure (optionally an error that explains it). */
  failure(message = '', data?: Record<string, unknown>, error?: unknown): void {
    this.end('failure', message, data, error);
  }

  /** Ends the action with a thrown error. */
  exception(error: unknown, message?: string, data?: Record<string, unknown>): void {
    this.end('exception', message ?? describeError(error), data, error);
  }

  /**
   * Runs `fn` inside the action: a normal return ends it with `success`
   * (unless `fn` ended it itself), a throw or rejection ends it with
   * `exception` and is passed on to the caller.
   */
  async run<T>(fn: (action: Action) => T | PromiseLike<T>): Promise<T> {
    try {
      const result = await fn(this);
      if (!this.ended) this.success();
      return result;
    } catch (error) {
      if (!this.ended) this.exception(error);
      throw error;
    }
  }

  private end(
    outcome: Outcome,
    message: string,
    data: Record<string, unknown> | undefined,
    error: unknown,
  ): void {
    if (this.ended) return;
    this.ended = true;
    const endNs = nanotime();
    const record: LogRecord = {
      logger: this.owner.name,
      level: this.level,
      action: this.name,
      outcome,
      message: formatMessage(safeString(message), data),
      begin: nanotimeToEpochMs(this.beginNs),
      end: nanotimeToEpochMs(endNs),
      durationMs: (endNs - this.beginNs) / 1e6,
    };
    if (this.detail !== undefined) record.detail = this.detail;
    if (data !== undefined) record.data = data;
    if (error !== undefined) record.error = serializeError(error);
    this.owner.finish(record);
  }
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return '<unprintable error>';
  }
}

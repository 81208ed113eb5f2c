// The shape of one action record: what every sink receives.

/** Levels in increasing order of importance (lithoxyl's debug/info/critical, plus warn). */
export const LEVELS = ['debug', 'info', 'warn', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_VALUE: Record<Level, number> = { debug: 10, info: 20, warn: 30, critical: 40 };

/** How an action ended: as planned, a handled failure, or a thrown error. */
export type Outcome = 'success' | 'failure' | 'exception';

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** One finished action. Times are wall-clock milliseconds since the epoch. */
export interface LogRecord {
  /** Name of the logger, e.g. `net`. */
  logger: string;
  level: Level;
  /** The action, by convention an upper-case verb such as `CONNECT`. */
  action: string;
  /** What the action was about (a host, a path, …), if given. */
  detail?: string;
  outcome: Outcome;
  /** The message with `{name}` fields filled in from `data`. */
  message: string;
  /** When the action began. */
  begin: number;
  /** When the action ended. */
  end: number;
  /** `end - begin`, measured on the monotonic clock. */
  durationMs: number;
  /** The fields given with the outcome. */
  data?: Record<string, unknown>;
  /** The error of an `exception` outcome (or one given to `failure`). */
  error?: SerializedError;
  /**
   * Set on the copy kept by the ring (and written by `JsonLinesSink`) when
   * something was cut to fit its byte limit; see `safeRecord`.
   */
  truncated?: true;
}

/** Where records go. A sink that throws is counted and skipped; it never breaks the caller. */
export interface Sink {
  write(record: LogRecord): void;
  /** Called by `ctx.close()`; flush and release what the sink holds. */
  close?(): void;
}

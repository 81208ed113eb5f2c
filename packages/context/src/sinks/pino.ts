import type { Level, LogRecord, Sink } from '../log/record.js';

/**
 * What the adapter needs from a pino logger (or anything with the same level
 * methods): `method(mergingObject, message)`. pino itself is not a dependency.
 */
export interface PinoLike {
  debug(obj: object, msg?: string): unknown;
  info(obj: object, msg?: string): unknown;
  warn(obj: object, msg?: string): unknown;
  error(obj: object, msg?: string): unknown;
}

const METHOD: Record<Level, keyof PinoLike> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  critical: 'error',
};

/**
 * Forwards records to a user's pino logger. The level maps by name
 * (`critical` becomes `error`); an `exception` outcome is logged at least at
 * `error`. The record's fields go in the merging object (its level as
 * `actionLevel`, its error as `err`), the formatted text in pino's message.
 */
export class PinoSink implements Sink {
  constructor(private readonly logger: PinoLike) {
    for (const method of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof logger?.[method] !== 'function') {
        throw new TypeError(`PinoSink logger must have a ${method}() method`);
      }
    }
  }

  write(record: LogRecord): void {
    const method = record.outcome === 'exception' ? 'error' : METHOD[record.level];
    // pino owns `level` (numeric) in its output, so ours travels as `actionLevel`.
    const { message, level, ...fields } = record;
    const obj: Record<string, unknown> = { ...fields, actionLevel: level };
    if (record.error !== undefined) {
      // pino's convention for errors is the `err` key.
      obj.err = record.error;
      delete obj.error;
    }
    this.logger[method](obj, `${record.action} ${record.outcome}${message ? `: ${message}` : ''}`);
  }
}

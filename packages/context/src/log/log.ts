import { logChannel, sinkErrorChannel } from '../diagnostics.js';
import { RingSink } from '../sinks/ring.js';
import { safeString } from './format.js';
import { Logger, validateLevel } from './logger.js';
import type { Level, LogRecord, Sink } from './record.js';

export interface LogInfo {
  /** Records that reached the sinks. */
  records: number;
  /** Sink calls that threw (each is skipped; logging never throws into the caller). */
  sinkErrors: number;
  /** Message of the last sink error, if any. */
  lastSinkError?: string;
  loggers: number;
  /** Lookups of a new logger name that got the shared `__overflow__` logger because MAX_LOGGERS were in use. */
  overflow: number;
  sinks: number;
}

/** Most loggers a log creates; further names share the `__overflow__` logger. */
export const MAX_LOGGERS = 1000;

/** The logger that names past {@link MAX_LOGGERS} share (not counted in the limit). */
export const OVERFLOW_LOGGER = '__overflow__';

/**
 * The context's action log: named loggers, a list of sinks, and an in-memory
 * ring that is always one of them.
 */
export class Log {
  /** The in-memory ring of recent records (shown by meta). */
  readonly ring: RingSink;
  private readonly loggers = new Map<string, Logger>();
  private sinks: Sink[];
  private defaultLevel: Level;
  private counts = { records: 0, sinkErrors: 0, overflow: 0 };
  private lastSinkError: string | undefined;

  constructor(options: { level: Level; ringSize: number; sinks: readonly Sink[] }) {
    this.defaultLevel = options.level;
    this.ring = new RingSink(options.ringSize);
    this.sinks = [this.ring, ...options.sinks];
  }

  /**
   * The logger called `name`, created on first use with the default level.
   * Never throws: once MAX_LOGGERS names exist, a new name gets the shared
   * `__overflow__` logger (which does not count against the limit) and the
   * lookup is counted in `info().overflow`.
   */
  get(name: string): Logger {
    if (typeof name !== 'string') name = safeString(name);
    const logger = this.loggers.get(name);
    if (logger !== undefined) return logger;
    if (name !== OVERFLOW_LOGGER && this.loggers.size >= this.limit()) {
      this.counts.overflow++;
      return this.create(OVERFLOW_LOGGER);
    }
    return this.create(name);
  }

  /** Names allowed besides the overflow logger. */
  private limit(): number {
    return this.loggers.has(OVERFLOW_LOGGER) ? MAX_LOGGERS + 1 : MAX_LOGGERS;
  }

  private create(name: string): Logger {
    let logger = this.loggers.get(name);
    if (logger === undefined) {
      logger = new Logger(name, this, this.defaultLevel);
      this.loggers.set(name, logger);
    }
    return logger;
  }

  /** Sets one logger's level, or with no name the default for loggers and every existing one. */
  setLevel(level: Level, name?: string): void {
    if (name !== undefined && typeof name !== 'string') name = safeString(name);
    validateLevel(name === undefined ? 'level' : `logger ${JSON.stringify(name)} level`, level);
    if (name !== undefined) {
      this.get(name).level = level;
      return;
    }
    this.defaultLevel = level;
    for (const logger of this.loggers.values()) logger.level = level;
  }

  get level(): Level {
    return this.defaultLevel;
  }

  addSink(sink: Sink): void {
    if (typeof sink?.write !== 'function')
      throw new TypeError('addSink(sink): sink must have a write(record) method');
    this.sinks = [...this.sinks, sink];
  }

  removeSink(sink: Sink): boolean {
    const before = this.sinks.length;
    this.sinks = this.sinks.filter((s) => s !== sink || s === this.ring);
    return this.sinks.length < before;
  }

  /** Sends a finished record to every sink; a throwing sink is counted and skipped. */
  emit(record: LogRecord): void {
    this.counts.records++;
    for (const sink of this.sinks) {
      try {
        sink.write(record);
      } catch (error) {
        this.sinkFailed(sink, error);
      }
    }
    if (logChannel.hasSubscribers) logChannel.publish(record);
  }

  info(): LogInfo {
    const info: LogInfo = {
      ...this.counts,
      loggers: this.loggers.size,
      sinks: this.sinks.length,
    };
    if (this.lastSinkError !== undefined) info.lastSinkError = this.lastSinkError;
    return info;
  }

  /** Closes every sink that has `close()`; errors are counted like write errors. */
  close(): void {
    for (const sink of this.sinks) {
      try {
        sink.close?.();
      } catch (error) {
        this.sinkFailed(sink, error);
      }
    }
  }

  private sinkFailed(sink: Sink, error: unknown): void {
    this.counts.sinkErrors++;
    try {
      this.lastSinkError = error instanceof Error ? error.message : String(error);
    } catch {
      this.lastSinkError = '<unprintable>';
    }
    if (sinkErrorChannel.hasSubscribers) sinkErrorChannel.publish({ sink, error });
  }
}

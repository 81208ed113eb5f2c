import { ContextOptionError } from '../errors.js';
import { describe } from '../validate.js';
import { Action, type ActionOwner } from './action.js';
import { LEVEL_VALUE, LEVELS, type Level, type LogRecord } from './record.js';

/** What a logger needs from the log that owns it. */
export interface LoggerOwner {
  emit(record: LogRecord): void;
}

/**
 * A named logger. Each level method begins an {@link Action}; the record is
 * written when the action ends, if its level is at or above the logger's.
 */
export class Logger implements ActionOwner {
  private threshold: number;
  private currentLevel: Level;

  constructor(
    readonly name: string,
    private readonly owner: LoggerOwner,
    level: Level,
  ) {
    this.currentLevel = level;
    this.threshold = LEVEL_VALUE[level];
  }

  /** The lowest level this logger writes; settable at runtime. */
  get level(): Level {
    return this.currentLevel;
  }

  set level(level: Level) {
    this.currentLevel = validateLevel(`logger ${JSON.stringify(this.name)} level`, level);
    this.threshold = LEVEL_VALUE[level];
  }

  isEnabled(level: Level): boolean {
    return LEVEL_VALUE[level] >= this.threshold;
  }

  debug(action: string, detail?: unknown): Action {
    return new Action(this, 'debug', action, detailString(detail));
  }

  info(action: string, detail?: unknown): Action {
    return new Action(this, 'info', action, detailString(detail));
  }

  warn(action: string, detail?: unknown): Action {
    return new Action(this, 'warn', action, detailString(detail));
  }

  critical(action: string, detail?: unknown): Action {
    return new Action(this, 'critical', action, detailString(detail));
  }

  /** @internal Called by an action when it ends. */
  finish(record: LogRecord): void {
    if (LEVEL_VALUE[record.level] >= this.threshold) this.owner.emit(record);
  }
}

export function validateLevel(option: string, level: unknown): Level {
  if (!(LEVELS as readonly unknown[]).includes(level)) {
    throw new ContextOptionError(
      option,
      `must be one of ${LEVELS.join(', ')}, got ${describe(level)}`,
    );
  }
  return level as Level;
}

function detailString(detail: unknown): string | undefined {
  if (detail === undefined || typeof detail === 'string') return detail;
  try {
    return String(detail);
  } catch {
    return '<unprintable>';
  }
}

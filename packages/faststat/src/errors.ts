import { didYouMean } from './closest.js';

/** Stable error codes of @support/faststat; callers match on `code`. */
export const FaststatErrorCode = {
  /** An argument has the wrong type or range (a programming error). */
  INVALID_ARGUMENT: 'SUP_ERR_FASTSTAT_INVALID_ARGUMENT',
  /** A snapshot is malformed or of another type or version. */
  INVALID_SNAPSHOT: 'SUP_ERR_FASTSTAT_INVALID_SNAPSHOT',
  /** Two statistics cannot be merged (e.g. sketches of different accuracy). */
  INCOMPATIBLE: 'SUP_ERR_FASTSTAT_INCOMPATIBLE',
} as const;

export type FaststatErrorCode = (typeof FaststatErrorCode)[keyof typeof FaststatErrorCode];

/** Base class of every error this package throws on purpose, other than TypeErrors. */
export class FaststatError extends Error {
  override name = 'FaststatError';
  readonly code: FaststatErrorCode;
  /** For an invalid snapshot: the path of the field rejected (`moments.m2`, `sketch.positive.counts[3]`). */
  readonly field?: string;

  constructor(
    code: FaststatErrorCode,
    message: string,
    options?: ErrorOptions & { field?: string },
  ) {
    super(message, options);
    this.code = code;
    if (options?.field !== undefined) this.field = options.field;
  }
}

/** A TypeError with a stable code, for arguments of the wrong type or range. */
export class FaststatTypeError extends TypeError {
  override name = 'FaststatTypeError';
  readonly code = FaststatErrorCode.INVALID_ARGUMENT;
}

/**
 * Throws unless `options` is undefined or an object whose keys are all in
 * `known`; the message names the key, suggests the closest known one and
 * lists them all, so a typo never passes silently.
 */
export function checkKnownKeys(
  what: string,
  options: object | undefined,
  known: readonly string[],
): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new FaststatTypeError(`${what} options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new FaststatTypeError(
        `options.${key} is not a ${what} option${didYouMean(key, known)} (known: ${known.join(', ')})`,
      );
    }
  }
}

/** Throws unless `value` is a finite number in `[min, max]`. */
export function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new FaststatTypeError(
      `${name} must be a number in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

/** Throws unless `value` is an integer in `[min, max]`. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new FaststatTypeError(
      `${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value as number;
}

/** Throws a snapshot error unless `condition` holds. */
export function assertSnapshot(condition: unknown, what: string): asserts condition {
  if (!condition) {
    throw new FaststatError(FaststatErrorCode.INVALID_SNAPSHOT, `invalid snapshot: ${what}`);
  }
}

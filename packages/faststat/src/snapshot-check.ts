import { FaststatError, FaststatErrorCode } from './errors.js';

// Small checks for reading snapshots that crossed a process boundary: each
// names the field it rejects, so a corrupt snapshot is reported where it is
// wrong instead of surfacing later as a TypeError or a NaN.

const NO_VALUE: unique symbol = Symbol('no value');

/** Throws SUP_ERR_FASTSTAT_INVALID_SNAPSHOT naming `field` (and the value found, if given). */
export function invalid(field: string, what: string, value: unknown = NO_VALUE): never {
  const got = value === NO_VALUE ? '' : `, got ${describe(value)}`;
  throw new FaststatError(
    FaststatErrorCode.INVALID_SNAPSHOT,
    `invalid snapshot: ${field} ${what}${got}`,
    { field },
  );
}

/** A plain object (not null, not an array). */
export function object(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(field, 'must be an object', value);
  }
  return value as Record<string, unknown>;
}

/** A finite number. */
export function finite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    invalid(field, 'must be a finite number', value);
  }
  return value;
}

/** A finite number >= 0. */
export function nonNegative(field: string, value: unknown): number {
  if (finite(field, value) < 0) invalid(field, 'must be >= 0', value);
  return value as number;
}

/** A safe integer in [min, max]. */
export function integer(
  field: string,
  value: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    invalid(field, `must be an integer in [${min}, ${max}]`, value);
  }
  return value as number;
}

/** A count: an integer >= 0 up to 2^53 (counts of merged data pass 2^32). */
export function count(field: string, value: unknown): number {
  return integer(field, value, 0);
}

/**
 * The sum of an array of counts (see {@link count}); the field name of an
 * item is built only for the error, so valid arrays cost one pass.
 */
export function sumCounts(field: string, values: readonly unknown[]): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (!Number.isSafeInteger(c) || (c as number) < 0) count(`${field}[${i}]`, c);
    total += c as number;
  }
  return total;
}

/** null, or a finite number. */
export function finiteOrNull(field: string, value: unknown): number | null {
  return value === null ? null : finite(field, value);
}

/** An array of at most `maxLength` items. */
export function array(field: string, value: unknown, maxLength: number): unknown[] {
  if (!Array.isArray(value)) invalid(field, 'must be an array', value);
  if (value.length > maxLength) invalid(field, `must have at most ${maxLength} items`, value);
  return value;
}

/** An array of exactly `length` items. */
export function arrayOf(field: string, value: unknown, length: number): unknown[] {
  if (!Array.isArray(value) || value.length !== length) {
    invalid(field, `must be an array of ${length} items`, value);
  }
  return value;
}

/** The value for a message: short, and never a throw. */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  return String(value);
}

import { didYouMean } from '@support/context';
import { InvalidOptionError } from './errors.js';

// Option validators: each returns the value or throws a message naming the option.

/** Longest delay a Node.js timer supports; longer ones would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function object(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(`${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

/** Rejects a key of `value` (an options object named `name`) that is not in `known`. */
export function knownKeys(value: object, known: readonly string[], name: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidOptionError(`${name}.${key} is not an option${didYouMean(key, known)}`);
    }
  }
}

export function timeout(value: unknown, name: string, allowInfinity = false): number {
  if (
    typeof value === 'number' &&
    value > 0 &&
    (value <= MAX_TIMER_MS || (allowInfinity && value === Number.POSITIVE_INFINITY))
  ) {
    return value;
  }
  throw new InvalidOptionError(
    `${name} must be a positive number of milliseconds (at most ${MAX_TIMER_MS})${allowInfinity ? ' or Infinity' : ''}`,
  );
}

export function count(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidOptionError(`${name} must be a non-negative integer`);
}

export function positive(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new InvalidOptionError(`${name} must be a positive integer`);
}

export function nonNegative(value: unknown, name: string): number {
  if (typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS) return value;
  throw new InvalidOptionError(
    `${name} must be a number of milliseconds from 0 to ${MAX_TIMER_MS}`,
  );
}

export function bool(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(`${name} must be a boolean`);
}

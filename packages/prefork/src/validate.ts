import { didYouMean } from '@support/context';
import { codes, PreforkError } from './errors.js';

// Option validators: each returns the value or throws a PreforkError naming the option.

/** Longest delay a Node.js timer supports; longer ones would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function invalid(name: string, what: string): PreforkError {
  return new PreforkError(codes.INVALID_OPTION, `${name} ${what}`);
}

export function plainObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(name, 'must be an object');
  return value as Record<string, unknown>;
}

export function rejectUnknown(given: object, known: object, name: string): void {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(known, key)) {
      throw invalid(
        `${name}.${key}`,
        `is not a known option${didYouMean(key, Object.keys(known))}`,
      );
    }
  }
}

export function positiveInt(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw invalid(name, 'must be a positive integer');
}

export function nonNegativeInt(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw invalid(name, 'must be a non-negative integer');
}

export function ms(value: unknown, name: string): number {
  if (typeof value === 'number' && value > 0 && value <= MAX_TIMER_MS) return value;
  throw invalid(name, `must be a positive number of milliseconds (at most ${MAX_TIMER_MS})`);
}

export function fraction(value: unknown, name: string): number {
  if (typeof value === 'number' && value >= 0 && value < 1) return value;
  throw invalid(name, 'must be a number from 0 (inclusive) to 1 (exclusive)');
}

export function fn(value: unknown, name: string): (...args: never[]) => unknown {
  if (typeof value === 'function') return value as (...args: never[]) => unknown;
  throw invalid(name, 'must be a function');
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw invalid(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

import { didYouMean } from '@support/context';
import { invalid } from './errors.js';

// Option validators: each returns the value or throws a CoreError naming the option.

/** Longest delay a Node.js timer supports. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(name, 'must be an object');
  }
  return value as Record<string, unknown>;
}

export function knownKeys(name: string, value: Record<string, unknown>, keys: readonly string[]) {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw invalid(`${name}.${key}`, `is not a known option${didYouMean(key, keys)}`);
    }
  }
}

export function positiveInteger(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw invalid(name, `must be a positive integer, got ${String(value)}`);
}

export function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw invalid(name, `must be a non-negative integer, got ${String(value)}`);
}

/** Milliseconds from 0 (meaning "no limit" where the option says so) to the timer maximum. */
export function milliseconds(name: string, value: unknown): number {
  if (typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS) return value;
  throw invalid(name, `must be a number of milliseconds from 0 to ${MAX_TIMER_MS}`);
}

export function bool(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw invalid(name, 'must be a boolean');
}

export function fn<T>(name: string, value: unknown): T {
  if (typeof value === 'function') return value as T;
  throw invalid(name, 'must be a function');
}

export function string(name: string, value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw invalid(name, 'must be a non-empty string');
}

export function array(name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw invalid(name, 'must be an array');
}

/** Drops keys whose value is undefined, so spreading over defaults keeps the defaults. */
export function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

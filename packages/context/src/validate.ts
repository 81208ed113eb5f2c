import { didYouMean } from '@support/faststat';
import { ContextOptionError } from './errors.js';

// Small validators shared by config.ts and options.ts; each throws a
// ContextOptionError whose message starts with the option's name.

export function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ContextOptionError(option, `must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

export function nonNegativeInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ContextOptionError(option, `must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

export function positiveNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ContextOptionError(
      option,
      `must be a positive finite number, got ${describe(value)}`,
    );
  }
  return value;
}

export function boolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ContextOptionError(option, `must be a boolean, got ${describe(value)}`);
  }
  return value;
}

export function plainObject(option: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContextOptionError(option, `must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Rejects keys that `known` does not list, naming the first unknown one. */
export function knownKeys(
  prefix: string,
  value: Record<string, unknown>,
  known: readonly string[],
) {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ContextOptionError(
        `${prefix}.${key}`,
        `is not a known option${didYouMean(key, known)} (known: ${known.join(', ')})`,
      );
    }
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return typeof value;
}

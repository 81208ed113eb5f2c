import type { Context } from '@support/context';

/** The stat names of one task in one pool, built once (they are looked up on every call). */
export interface StatNames {
  fnQueued: string;
  fnDuration: string;
  fnLen: string;
  fnRate: string;
  poolQueued: string;
  poolDuration: string;
}

export function statNames(pool: string, task: string): StatNames {
  return {
    fnQueued: `${pool}.${task}.queued(ms)`,
    fnDuration: `${pool}.${task}.duration(ms)`,
    fnLen: `${pool}.${task}.len`,
    fnRate: `${pool}.${task}.rate(B/ms)`,
    poolQueued: `${pool}.queued(ms)`,
    poolDuration: `${pool}.duration(ms)`,
  };
}

/**
 * The size of a value for the `len` and `rate` stats: `length` of a string
 * or array, `byteLength` of a buffer or typed array, else undefined.
 */
export function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) {
    const n = (value as { byteLength?: unknown }).byteLength;
    if (typeof n === 'number') return n;
  }
  return undefined;
}

/** Records one finished call. `len` is the first argument's size, else the result's. */
export function recordCall(
  ctx: Context,
  names: StatNames,
  queuedMs: number,
  durationMs: number,
  len: number | undefined,
): void {
  ctx.durations.get(names.fnQueued).add(queuedMs);
  ctx.durations.get(names.fnDuration).add(durationMs);
  ctx.durations.get(names.poolQueued).add(queuedMs);
  ctx.durations.get(names.poolDuration).add(durationMs);
  if (len !== undefined) {
    ctx.stats.get(names.fnLen).add(len);
    if (durationMs > 0) ctx.stats.get(names.fnRate).add(len / durationMs);
  }
}

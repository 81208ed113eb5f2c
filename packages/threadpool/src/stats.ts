import type { Context } from '@support/context';

/** The stat names of one task in one pool, built once (they are looked up on every call). */
export interface StatNames {
  fnQueued: string;
  fnDuration: string;
  fnLen: string;
  fnRate: string;
  poolQueued: string;
  poolDuration: string;
  poolDepth: string;
}

export function statNames(pool: string, task: string): StatNames {
  return {
    fnQueued: `${pool}.${task}.queued(ms)`,
    fnDuration: `${pool}.${task}.duration(ms)`,
    fnLen: `${pool}.${task}.len`,
    fnRate: `${pool}.${task}.rate(B/ms)`,
    poolQueued: `${pool}.queued(ms)`,
    poolDuration: `${pool}.duration(ms)`,
    poolDepth: `${pool}.depth`,
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

function recordCall(
  ctx: Context,
  names: StatNames,
  depth: number,
  queuedMs: number,
  durationMs: number,
  len: number | undefined,
): void {
  ctx.stats.get(names.poolDepth).add(depth);
  ctx.durations.get(names.fnQueued).add(queuedMs);
  ctx.durations.get(names.fnDuration).add(durationMs);
  ctx.durations.get(names.poolQueued).add(queuedMs);
  ctx.durations.get(names.poolDuration).add(durationMs);
  if (len !== undefined) {
    ctx.stats.get(names.fnLen).add(len);
    if (durationMs > 0) ctx.stats.get(names.fnRate).add(len / durationMs);
  }
}

// Bookkeeping is deferred to the next turn of the event loop, so a caller
// gets its value before the stats are written, and the main thread writes
// them while the pool thread is already on the next call. The batch is flat
// (no closure per call) and holds at most the calls that settle in one turn,
// which every pool's bound limits.
const SLOTS = 6;
const batch: unknown[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  try {
    for (let i = 0; i < batch.length; i += SLOTS) {
      const ctx = batch[i] as Context;
      const names = batch[i + 1] as StatNames;
      const queuedMs = batch[i + 3] as number;
      if (Number.isNaN(queuedMs)) ctx.stats.get(names.poolDepth).add(batch[i + 2] as number);
      else
        recordCall(
          ctx,
          names,
          batch[i + 2] as number,
          queuedMs,
          batch[i + 4] as number,
          batch[i + 5] as number | undefined,
        );
    }
  } finally {
    batch.length = 0;
  }
}

/**
 * Records one call on the next turn of the loop: the pool's depth when it was
 * submitted and, when it reached a thread (`queuedMs` not NaN), its queued
 * and run times and `len` (the first argument's size, else the result's).
 */
export function recordLater(
  ctx: Context,
  names: StatNames,
  depth: number,
  queuedMs: number,
  durationMs: number,
  len: number | undefined,
): void {
  batch.push(ctx, names, depth, queuedMs, durationMs, len);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

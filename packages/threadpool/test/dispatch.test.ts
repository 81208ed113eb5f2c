import diagnostics_channel from 'node:diagnostics_channel';
import { threadId } from 'node:worker_threads';
import { Context } from '@support/context';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closePools,
  configurePools,
  getPool,
  inPoolThread,
  setThreadDispatch,
  TaskNotFoundError,
  ThreadPool,
} from '../src/index.js';
import * as tasks from './fixtures/tasks.js';
import { FROM_SOURCE, fixture } from './helpers.js';

let ctx: Context;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  ctx = new Context({ monitoring: false, watchdog: false });
  configurePools({ cpu: { ...FROM_SOURCE, context: ctx }, io: { ...FROM_SOURCE, context: ctx } });
});

afterEach(async () => {
  setThreadDispatch(true);
  await closePools({ timeout: 0 });
  await ctx.close();
});

describe('dispatch', () => {
  it('runs a cpuBound task in a pool thread and resolves with its result', async () => {
    expect(await tasks.double(21)).toBe(42);
    const where = await tasks.whereAmI();
    expect(where.inPool).toBe(true);
    expect(where.threadId).not.toBe(threadId);
    expect(inPoolThread()).toBe(false);
  });

  it('runs a nested decorated call inline in the same thread (reentrancy)', async () => {
    const { outer, inner } = await tasks.nested();
    expect(outer).not.toBe(threadId);
    expect(inner.threadId).toBe(outer);
    expect(inner.inPool).toBe(true);
    // Only the outer call went through a pool: the inner one never reached cpu_bound.
    expect(getPool('cpu').status().completed).toBe(0);
    expect(getPool('io').status().completed).toBe(1);
  });

  it('cpuBoundIf runs inline when the predicate is false and in a thread when true', async () => {
    const small = await tasks.parseMaybe('[1,2]');
    expect(small).toEqual({ value: [1, 2], threadId });
    const big = JSON.stringify('x'.repeat(200));
    const large = await tasks.parseMaybe(big);
    expect(large.value).toBe('x'.repeat(200));
    expect(large.threadId).not.toBe(threadId);
  });

  it('raw is the plain function, called on this thread', () => {
    expect(tasks.double.raw(4)).toBe(8);
    expect(tasks.whereAmI.raw()).toEqual({ threadId, inPool: false });
    expect(tasks.double.taskName).toBe('double');
    expect(tasks.double.url).toBe(fixture('tasks.ts'));
  });

  it('setThreadDispatch(false) runs every task inline', async () => {
    setThreadDispatch(false);
    expect(await tasks.whereAmI()).toEqual({ threadId, inPool: false });
    setThreadDispatch(true);
    expect((await tasks.whereAmI()).threadId).not.toBe(threadId);
  });

  it('works with ESM JavaScript task modules', async () => {
    const { square } = await import('./fixtures/tasks.mjs');
    const r = await square(7);
    expect(r.value).toBe(49);
    expect(r.threadId).not.toBe(threadId);
  });

  it('moves transferList buffers instead of copying them', async () => {
    const buffer = new ArrayBuffer(1024);
    expect(await tasks.byteLength.with({ transferList: [buffer] })(buffer)).toBe(1024);
    expect(buffer.byteLength).toBe(0);
  });

  it('runs a custom pool and plain exports through ThreadPool.run', async () => {
    const pool = new ThreadPool({ name: 'custom', threads: 2, ...FROM_SOURCE, context: ctx });
    try {
      const upper = pool.wrap(fixture('tasks.ts'), 'upper', (s: string) => s.toUpperCase());
      expect(await upper('abc')).toBe('ABC');
      expect(await pool.run(fixture('tasks.ts'), 'double', [5])).toBe(10);
      await nextTurn();
      expect(ctx.durations.has('custom.upper.duration(ms)')).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('a .ts task module in threads without a TypeScript loader fails saying what to do', async () => {
    const pool = new ThreadPool({ name: 'no_loader', threads: 1, context: ctx });
    try {
      const error = await pool.run(fixture('tasks.ts'), 'double', [5]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_UNKNOWN_FILE_EXTENSION' });
      expect((error as Error).message).toMatch(
        /tasks\.ts is TypeScript, which pool threads cannot load/,
      );
      expect((error as Error).message).toMatch(/preload: \[new URL\('\.\/ts-loader\.mjs'/);
    } finally {
      await pool.close();
    }
  });

  it('rejects with TaskNotFoundError when the module lacks the export', async () => {
    const err = await tasks.missing(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskNotFoundError);
    expect(err).toMatchObject({ code: 'SUP_ERR_THREADPOOL_TASK_NOT_FOUND', pool: 'cpu_bound' });
    expect((err as Error).message).toContain('noSuchExport');
  });
});

describe('task errors', () => {
  it('arrive with their class, message, code, stack and cause', async () => {
    const range = await tasks.fail('range').catch((e: unknown) => e);
    expect(range).toBeInstanceOf(RangeError);
    expect((range as Error).message).toBe('out of range');
    expect((range as Error).stack).toContain('tasks.ts');

    const custom = (await tasks.fail('custom').catch((e: unknown) => e)) as Error & {
      code: string;
      field: string;
    };
    expect(custom.name).toBe('ValidationError');
    expect(custom.message).toBe('bad email');
    expect(custom.code).toBe('E_VALIDATION');
    expect(custom.field).toBe('email');
    expect(custom.stack).toContain('ValidationError');
    expect(custom.cause).toBeInstanceOf(TypeError);
    expect((custom.cause as Error).message).toBe('not a string');

    const thrown = (await tasks.fail('string').catch((e: unknown) => e)) as Error;
    expect(thrown.message).toBe('a plain string');
    expect(await tasks.fail('fine')).toBe('fine');
  });
});

describe('diagnostics', () => {
  it('publishes support:threadpool:done for every call that reached a thread', async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    diagnostics_channel.subscribe('support:threadpool:done', listener);
    try {
      await tasks.double(1);
      await tasks.fail('range').catch(() => undefined);
    } finally {
      diagnostics_channel.unsubscribe('support:threadpool:done', listener);
    }
    expect(seen).toMatchObject([
      { pool: 'cpu_bound', task: 'double', ok: true },
      { pool: 'cpu_bound', task: 'fail', ok: false },
    ]);
    expect((seen[0] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('stats', () => {
  it('records queued, duration, len and rate per function and per pool, and depth', async () => {
    await tasks.upper('hello world');
    await tasks.upper('x');
    // Stats are written on a later turn of the event loop.
    await nextTurn();
    expect(ctx.durations.get('io_bound.upper.queued(ms)').n).toBe(2);
    expect(ctx.durations.get('io_bound.upper.duration(ms)').n).toBe(2);
    expect(ctx.durations.get('io_bound.queued(ms)').n).toBe(2);
    expect(ctx.durations.get('io_bound.duration(ms)').n).toBe(2);
    const len = ctx.stats.get('io_bound.upper.len');
    expect(len.n).toBe(2);
    expect(len.max).toBe(11);
    expect(ctx.stats.has('io_bound.upper.rate(B/ms)')).toBe(true);
    expect(ctx.stats.get('io_bound.depth').n).toBe(2);
    // A number has no length: no len stat for it.
    await tasks.double(2);
    await nextTurn();
    expect(ctx.stats.has('cpu_bound.double.len')).toBe(false);
    expect(ctx.durations.get('cpu_bound.double.duration(ms)').n).toBe(1);
  });
});

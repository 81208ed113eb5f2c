import { execFile } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Context } from '@support/context';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closePools,
  configurePools,
  getPool,
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  WorkerExitedError,
} from '../src/index.js';
import * as tasks from './fixtures/tasks.js';
import { FROM_SOURCE, fixture } from './helpers.js';

const run = promisify(execFile);
let ctx: Context;

beforeEach(() => {
  ctx = new Context({ monitoring: false, watchdog: false });
});

afterEach(async () => {
  await closePools({ timeout: 0 });
  await ctx.close();
});

function oneThread(maxQueue: number): void {
  configurePools({ cpu: { ...FROM_SOURCE, context: ctx, threads: 1, maxQueue } });
}

describe('bounded queue', () => {
  it('rejects at once with QueueFullError when threads + maxQueue calls are pending, and counts it', async () => {
    oneThread(2);
    await tasks.double(1); // thread up
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const accepted = [
      tasks.countAndSleep(counter, 300),
      tasks.countAndSleep(counter, 0),
      tasks.countAndSleep(counter, 0),
    ];
    const drops: unknown[] = [];
    const listener = (message: unknown) => drops.push(message);
    diagnostics_channel.subscribe('support:threadpool:drop', listener);
    const t0 = performance.now();
    const rejected = await tasks.countAndSleep(counter, 0).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;
    diagnostics_channel.unsubscribe('support:threadpool:drop', listener);
    expect(drops).toEqual([{ pool: 'cpu_bound', task: 'countAndSleep', pending: 3 }]);
    expect(rejected).toBeInstanceOf(QueueFullError);
    expect(rejected).toMatchObject({
      code: 'SUP_ERR_THREADPOOL_QUEUE_FULL',
      pool: 'cpu_bound',
      maxQueue: 2,
      overloaded: true,
      retryAfter: 1,
    });
    expect(elapsed).toBeLessThan(100);
    const status = getPool('cpu').status();
    expect(status).toMatchObject({ pending: 3, dropped: 1, maxQueue: 2, maxThreads: 1 });
    expect(ctx.stats.get('cpu_bound.dropped').n).toBe(1);
    await Promise.all(accepted);
    // The rejected call never ran; the accepted ones all did.
    expect(Atomics.load(counter, 0)).toBe(3);
    // Room again once the queue has drained.
    expect(await tasks.double(2)).toBe(4);
    expect(getPool('cpu').status()).toMatchObject({ pending: 0, completed: 5, failed: 0 });
  });
});

describe('abort and timeout', () => {
  it('a queued call whose signal aborts rejects and never runs', async () => {
    oneThread(4);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const running = tasks.countAndSleep(counter, 300);
    const ac = new AbortController();
    const queued = tasks.countAndSleep.with({ signal: ac.signal })(counter, 0);
    ac.abort(new Error('client went away'));
    const err = await queued.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskAbortedError);
    expect(err).toMatchObject({ code: 'SUP_ERR_THREADPOOL_ABORTED' });
    expect(((err as Error).cause as Error).message).toBe('client went away');
    expect(await running).toBe(1);
    expect(await tasks.countAndSleep(counter, 0)).toBe(2);
    expect(Atomics.load(counter, 0)).toBe(2);
  });

  it('an already aborted signal rejects without dispatching', async () => {
    oneThread(4);
    const err = await tasks.double
      .with({ signal: AbortSignal.abort('no') })(1)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskAbortedError);
    expect(getPool('cpu').status().threads).toBe(0);
  });

  it('a running call past its timeout rejects with TaskTimeoutError; its thread is replaced', async () => {
    oneThread(4);
    const t0 = performance.now();
    const err = await tasks.sleep
      .with({ timeout: 100 })(20_000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskTimeoutError);
    expect(err).toMatchObject({ code: 'SUP_ERR_THREADPOOL_TIMEOUT', timeout: 100 });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(await tasks.double(4)).toBe(8);
  });

  it('a queued call times out without running', async () => {
    oneThread(4);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const running = tasks.countAndSleep(counter, 400);
    const err = await tasks.countAndSleep
      .with({ timeout: 50 })(counter, 0)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskTimeoutError);
    expect(await running).toBe(1);
    expect(Atomics.load(counter, 0)).toBe(1);
  });
});

describe('crashing threads', () => {
  it.each(['exit', 'uncaught'])(
    'a thread that dies (%s) rejects its call with WorkerExitedError and is replaced',
    async (how) => {
      configurePools({ cpu: { ...FROM_SOURCE, context: ctx, threads: 2, minThreads: 2 } });
      const bystander = tasks.sleep(300);
      const err = await tasks.crash(how).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerExitedError);
      expect(err).toMatchObject({ code: 'SUP_ERR_THREADPOOL_WORKER_EXITED', pool: 'cpu_bound' });
      expect((err as Error).message).toContain('crash');
      expect((err as Error).cause).toBeInstanceOf(Error);
      // The other thread's call is untouched, and the pool still works.
      expect(await bystander).toBe(300);
      expect(await Promise.all([tasks.double(1), tasks.double(2)])).toEqual([2, 4]);
      expect(getPool('cpu').status()).toMatchObject({ failed: 1, pending: 0 });
    },
  );

  it('a result that cannot be cloned rejects with WorkerExitedError', async () => {
    oneThread(4);
    const err = await tasks.uncloneable().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerExitedError);
    expect((err as Error).message).toContain('cloneable');
    expect(await tasks.double(5)).toBe(10);
  });
});

describe('close', () => {
  it('drains queued and running calls, then rejects new ones with PoolClosedError', async () => {
    oneThread(4);
    const calls = [tasks.sleep(150), tasks.double(3)];
    const pool = getPool('cpu');
    const closing = pool.close({ timeout: 10_000 });
    const late = await pool.run(fixture('tasks.ts'), 'double', [1]).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PoolClosedError);
    expect(await Promise.all(calls)).toEqual([150, 6]);
    await closing;
    expect(pool.status()).toMatchObject({ closed: true, threads: 0 });
  });

  it('cancels what is left after the timeout', async () => {
    oneThread(4);
    const running = tasks.sleep(60_000).catch((e: unknown) => e);
    const queued = tasks.double(1).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await getPool('cpu').close({ timeout: 100 });
    expect(await running).toBeInstanceOf(PoolClosedError);
    expect(await queued).toBeInstanceOf(PoolClosedError);
  });

  it('after closePools() a process exits by itself (drained and cancelled)', async () => {
    const child = fileURLToPath(fixture('exit-child.mjs'));
    for (const mode of ['drain', 'cancel']) {
      const { stdout } = await run(
        process.execPath,
        [
          '--conditions=@support/source',
          '--import',
          fileURLToPath(fixture('ts-loader.mjs')),
          child,
          mode,
        ],
        { timeout: 20_000 },
      );
      const out = JSON.parse(stdout) as { results: unknown[]; long: unknown };
      expect(out.results).toEqual([4, 'OK']);
      expect(out.long).toBe(mode === 'drain' ? 'done 200' : 'SUP_ERR_THREADPOOL_CLOSED');
    }
  });

  it('works from a CommonJS program with a CommonJS task module', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=@support/source',
        '--import',
        fileURLToPath(fixture('ts-loader.mjs')),
        fileURLToPath(fixture('cjs-child.cjs')),
      ],
      { timeout: 20_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ value: 27, otherThread: true });
  });
});

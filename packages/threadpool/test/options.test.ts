import { afterEach, describe, expect, it } from 'vitest';
import {
  closePools,
  configurePools,
  cpuBound,
  getPool,
  poolStatus,
  setThreadDispatch,
  ThreadPool,
  ThreadPoolError,
  ThreadPoolOptionError,
} from '../src/index.js';
import * as tasks from './fixtures/tasks.js';
import { FROM_SOURCE } from './helpers.js';

afterEach(async () => {
  await closePools({ timeout: 0 });
  configurePools({ cpu: {}, io: {} });
});

describe('options', () => {
  it.each([
    [{ threads: 0 }, 'options.threads'],
    [{ threads: 1.5 }, 'options.threads'],
    [{ threads: 2, minThreads: 3 }, 'options.minThreads'],
    [{ maxQueue: -1 }, 'options.maxQueue'],
    [{ idleTimeout: 'soon' }, 'options.idleTimeout'],
    [{ name: '' }, 'options.name'],
    [{ preload: ['relative/path.mjs'] }, 'options.preload[0]'],
    [{ execArgv: [1] }, 'options.execArgv'],
    [{ thread: 2 }, 'options.thread'],
  ])('ThreadPool(%o) throws naming %s', (options, option) => {
    let err: unknown;
    try {
      new ThreadPool(options as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ThreadPoolOptionError);
    expect(err).toMatchObject({ code: 'SUP_ERR_THREADPOOL_OPTION', option });
    expect((err as Error).message.startsWith(option)).toBe(true);
  });

  it('validates decorator arguments and per-call options', async () => {
    expect(() => cpuBound('not a url', 'x', () => 1)).toThrow(ThreadPoolOptionError);
    expect(() => cpuBound(import.meta.url, '', () => 1)).toThrow(/name/);
    expect(() => cpuBound(import.meta.url, 'x', 1 as never)).toThrow(/fn/);
    expect(() => tasks.double.with({ timeout: -1 })).toThrow(/with\(options\)\.timeout/);
    expect(() => tasks.double.with({ signal: 'x' as never })).toThrow(/signal/);
    expect(() => tasks.double.with({ retries: 1 } as never)).toThrow(/retries/);
    expect(() => tasks.double.with({ timeOut: 1 } as never)).toThrow(
      'with(options).timeOut is not an option; did you mean "timeout"?',
    );
    expect(() => new ThreadPool({ maxqueue: 1 } as never)).toThrow(
      'options.maxqueue is not an option; did you mean "maxQueue"?',
    );
    expect(() => setThreadDispatch('no' as never)).toThrow(ThreadPoolOptionError);
    await expect(new ThreadPool().run(import.meta.url, '', [])).rejects.toThrow(/name/);
    expect(() => configurePools({ gpu: {} } as never)).toThrow(/configurePools\(options\)\.gpu/);
    expect(() => configurePools({ cpu: { threads: -1 } })).toThrow(
      /configurePools\(options\)\.cpu\.threads/,
    );
  });

  it('configurePools refuses a running pool, and applies after closePools', async () => {
    configurePools({ cpu: { ...FROM_SOURCE, threads: 2, maxQueue: 7 } });
    expect(await tasks.double(1)).toBe(2);
    let err: unknown;
    try {
      configurePools({ cpu: { threads: 3 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ThreadPoolError);
    expect(err).toMatchObject({ code: 'SUP_ERR_THREADPOOL_ALREADY_STARTED' });
    expect(getPool('cpu').status()).toMatchObject({ maxThreads: 2, maxQueue: 7 });
    await closePools();
    configurePools({ cpu: { ...FROM_SOURCE, threads: 3 } });
    expect(getPool('cpu').status()).toMatchObject({ maxThreads: 3, maxQueue: 256 });
  });

  it('poolStatus lists open shared and custom pools', async () => {
    configurePools({ io: FROM_SOURCE });
    await tasks.upper('a');
    const custom = new ThreadPool({ name: 'reports' });
    const names = poolStatus().map((s) => s.name);
    expect(names).toContain('io_bound');
    expect(names).toContain('reports');
    const io = poolStatus().find((s) => s.name === 'io_bound');
    expect(io).toMatchObject({ threads: 1, maxThreads: 10, completed: 1, busy: 0, queued: 0 });
    expect(io?.utilization).toBeGreaterThanOrEqual(0);
    await custom.close();
    expect(poolStatus().map((s) => s.name)).not.toContain('reports');
  });
});

import { Context } from '@support/context';
import { afterEach, beforeEach } from 'vitest';
import { ThreadPool, type ThreadPoolOptions } from '../src/index.js';

/** Pool options that let threads load the package and fixtures from TypeScript sources. */
export const FROM_SOURCE: Pick<ThreadPoolOptions, 'preload' | 'execArgv'> = {
  preload: [new URL('./fixtures/ts-loader.mjs', import.meta.url)],
  execArgv: ['--conditions=@support/source'],
};

/** A fixture module's file URL. */
export function fixture(name: string): string {
  return new URL(`./fixtures/${name}`, import.meta.url).href;
}

/**
 * A quiet Context for each test and a pool opened on it with `open()`, both
 * closed after the test.
 */
export function poolPerTest(): {
  readonly ctx: Context;
  open(options: Omit<ThreadPoolOptions, 'context'>): ThreadPool;
} {
  let ctx: Context | undefined;
  let pool: ThreadPool | undefined;
  beforeEach(() => {
    ctx = new Context({ monitoring: false, watchdog: false });
  });
  afterEach(async () => {
    await pool?.close({ timeout: 0 });
    pool = undefined;
    await ctx?.close();
  });
  return {
    get ctx() {
      return ctx as Context;
    },
    open(options) {
      pool = new ThreadPool({ ...FROM_SOURCE, ...options, context: ctx });
      return pool;
    },
  };
}

import { Context } from '@support/context';
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadPool } from '../src/index.js';
import { FROM_SOURCE, fixture } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function quietContext(): Context {
  const ctx = new Context({ monitoring: false, watchdog: false });
  cleanups.push(() => ctx.close());
  return ctx;
}

describe('component registration', () => {
  it('a pool lists itself in its context with its status, and leaves on close()', async () => {
    const ctx = quietContext();
    const pool = new ThreadPool({ name: 'images', threads: 1, context: ctx, ...FROM_SOURCE });
    cleanups.push(() => pool.close({ timeout: 0 }));
    const double = pool.wrap(fixture('tasks.ts'), 'double', (n: number) => n * 2);
    expect(await double(4)).toBe(8);
    const listed = ctx.snapshot().components;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      name: 'images',
      kind: 'threadpool',
      status: { name: 'images', maxThreads: 1, completed: 1, failed: 0, closed: false },
    });
    expect(Object.keys(listed[0]?.status as object)).toEqual(Object.keys(pool.status()));
    await pool.close({ timeout: 0 });
    expect(ctx.components.list()).toEqual([]);
  });

  it('two pools of the same name are both listed', async () => {
    const ctx = quietContext();
    const a = new ThreadPool({ name: 'io', context: ctx });
    const b = new ThreadPool({ name: 'io', context: ctx });
    cleanups.push(
      () => a.close({ timeout: 0 }),
      () => b.close({ timeout: 0 }),
    );
    expect(ctx.components.list().map((c) => [c.name, c.kind])).toEqual([
      ['io', 'threadpool'],
      ['io#2', 'threadpool'],
    ]);
    await a.close({ timeout: 0 });
    expect(ctx.components.names()).toEqual(['io#2']);
  });
});

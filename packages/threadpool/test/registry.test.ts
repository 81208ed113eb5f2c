import { Buffer } from 'node:buffer';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { TaskNotFoundError } from '../src/index.js';
import { REGISTRY_BYTES, TaskRegistry } from '../src/registry.js';
import { fixture, poolPerTest } from './helpers.js';

const pools = poolPerTest();

describe('TaskRegistry', () => {
  it('numbers tasks in order, once each, and answers -1 when full', () => {
    const registry = new TaskRegistry(64);
    expect(registry.idOf('file:///a.js', 'f')).toBe(0);
    expect(registry.idOf('file:///a.js', 'g')).toBe(1);
    expect(registry.idOf('file:///a.js', 'f')).toBe(0);
    expect(registry.idOf('file:///b.js', 'f')).toBe(2);
    expect(registry.idOf('file:///a.js', 'x'.repeat(64))).toBe(-1);
    expect(registry.size).toBe(3);
    // The count the threads read, stored after each entry.
    expect(new Int32Array(registry.buffer)[0]).toBe(3);
  });
});

describe('tasks by number in the threads', () => {
  it('a task first called after the threads started is found in each thread', async () => {
    const pool = pools.open({
      name: 'late',
      threads: 2,
      minThreads: 2,
    });
    expect(await pool.run(fixture('tasks.ts'), 'double', [1])).toBe(2);
    // Two blocking calls at once: each thread runs one, numbered after both started.
    const ids = await Promise.all([
      pool.run(fixture('tasks.ts'), 'sleepThenWhere', [100]),
      pool.run(fixture('tasks.ts'), 'sleepThenWhere', [100]),
    ]);
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain(threadId);
  });

  it('once the registry is full, calls carry URL and export name and still run', async () => {
    const pool = pools.open({ name: 'full', threads: 1 });
    // One name that leaves 8 bytes of the table: no other task fits after it.
    const url = fixture('tasks.ts');
    const long = 'x'.repeat(REGISTRY_BYTES - 16 - Buffer.byteLength(url) - 1);
    const err = await pool.run(url, long, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskNotFoundError);
    expect(await pool.run(fixture('tasks.ts'), 'double', [21])).toBe(42);
    const upper = pool.wrap(fixture('tasks.ts'), 'upper', (s: string) => s.toUpperCase());
    expect(await upper('abc')).toBe('ABC');
  });
});

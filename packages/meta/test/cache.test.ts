import { describe, expect, test } from 'vitest';
import { SnapshotCache } from '../src/cache.js';
import { mountBase } from '../src/state.js';

describe('SnapshotCache', () => {
  test('shares a value for ttl ms, concurrent callers included; clear() drops it', async () => {
    let now = 0;
    let loads = 0;
    const cache = new SnapshotCache(1000, () => now);
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('other', load)).toBe(2);
    now = 1000;
    expect(await cache.get('k', load)).toBe(3);
    cache.clear();
    expect(await cache.get('k', load)).toBe(4);
  });

  test('a failed load is not kept; ttl 0 always loads', async () => {
    const cache = new SnapshotCache(1000, () => 0);
    await expect(cache.get('k', async () => Promise.reject(new Error('wedged')))).rejects.toThrow(
      'wedged',
    );
    expect(await cache.get('k', async () => 'ok')).toBe('ok');
    let loads = 0;
    const off = new SnapshotCache(0);
    await off.get('k', async () => ++loads);
    await off.get('k', async () => ++loads);
    expect(loads).toBe(2);
  });
});

describe('mountBase', () => {
  const req = (url: string, originalUrl?: string) => ({ url, originalUrl }) as never;
  test('is what Express strips in front of url, else empty', () => {
    expect(mountBase(req('/stats?x=1', '/ops/meta/stats?x=1'))).toBe('/ops/meta');
    expect(mountBase(req('/', '/ops/meta/'))).toBe('/ops/meta');
    expect(mountBase(req('/stats'))).toBe('');
    expect(mountBase(req('/stats', '/stats'))).toBe('');
    expect(mountBase(req('/stats', '/other'))).toBe('');
    // Nothing that could break out of an attribute or a path.
    expect(mountBase(req('/stats', '/a"b?c/stats'))).toBe('');
  });
});

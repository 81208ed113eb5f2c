import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closePools, configurePools, getPool } from '@support/threadpool';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServer, fromSource, seed } from '../src/index.js';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'threadpool-sqlite-'));
  const dbPath = join(dir, 'app.sqlite');
  configurePools({ io: fromSource, cpu: fromSource });
  await seed(dbPath, 1000);
  server = createAppServer({ dbPath });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await closePools({ timeout: 5_000 });
  rmSync(dir, { recursive: true, force: true });
});

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, body: await res.json() };
}

/** A JSON document of about 15 MB (≈0.2 s to parse on the test machine). */
const bigDocument = JSON.stringify(
  Array.from({ length: 200_000 }, (_, i) => ({
    id: i,
    name: `user ${i}`,
    tags: ['a', 'b'],
    score: i / 3,
  })),
);

describe('threadpool-sqlite example', () => {
  it('serves users, parses and hashes through the pools', async () => {
    expect(await json('/users?id=42')).toEqual({
      status: 200,
      body: { id: 42, name: 'user 42', email: 'user42@example.com' },
    });
    expect((await json('/users?id=5000')).status).toBe(404);
    expect(await json('/parse', { method: 'POST', body: '[1,2,3]' })).toEqual({
      status: 200,
      body: { items: 3, bytes: 7 },
    });
    expect((await json('/parse', { method: 'POST', body: '{nope' })).status).toBe(400);
    const hashed = (await json('/hash', {
      method: 'POST',
      body: JSON.stringify({ password: 'hunter2' }),
    })) as { status: number; body: { salt: string; hash: string } };
    expect(hashed.status).toBe(200);
    expect(hashed.body.hash).toMatch(/^[0-9a-f]{128}$/);
  });

  it('keeps answering /ping promptly while a slow query, a huge parse and a hash run', async () => {
    const started = performance.now();
    let slowDone = 0;
    const slow = Promise.all([
      json('/slow?n=6000000'),
      json('/parse', { method: 'POST', body: bigDocument }),
      json('/hash', { method: 'POST', body: JSON.stringify({ password: 'x' }) }),
      json('/slow?n=4000000'),
    ]).then((results) => {
      slowDone = performance.now();
      return results;
    });
    const pings: number[] = [];
    while (slowDone === 0) {
      const t0 = performance.now();
      const { status } = await json('/ping');
      expect(status).toBe(200);
      if (slowDone === 0) pings.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    const results = await slow;
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results[0]?.body).toEqual({ counted: 6_000_000 });
    expect(results[1]?.body).toMatchObject({ items: 200_000 });
    // The slow work took a while, and pings kept being answered meanwhile.
    // Run inline, the work would hold one ping for most of its duration; the
    // bounds are relative to that duration so a loaded machine cannot fail them.
    const workMs = slowDone - started;
    const sorted = [...pings].sort((a, b) => a - b);
    expect(workMs).toBeGreaterThan(500);
    expect(pings.length).toBeGreaterThanOrEqual(10);
    expect(sorted[sorted.length >> 1]).toBeLessThan(workMs / 10);
    expect(sorted.at(-1)).toBeLessThan(workMs / 3);
    expect(getPool('io').status().completed).toBeGreaterThanOrEqual(4);
  });
});

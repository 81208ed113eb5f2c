import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createMetaApp } from '../src/index.js';
import { richContext } from './fixtures.js';
import { cleanup, getJSON, serve } from './helpers.js';

async function setup(options: Parameters<typeof createMetaApp>[0] = {}) {
  const ctx = richContext();
  const meta = createMetaApp({ context: ctx, allowMutations: true, ...options });
  cleanup(() => meta.close());
  const url = await serve(meta.handler);
  const post = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { ctx, meta, url, post };
}

describe('mutations (allowMutations)', () => {
  test('POST /log-level sets the default level or one logger', async () => {
    const { ctx, post } = await setup();
    expect((await post('/log-level', { level: 'debug' })).status).toBe(200);
    expect(ctx.log.level).toBe('debug');
    expect((await post('/log-level', { level: 'critical', logger: 'db' })).status).toBe(200);
    expect(ctx.log.get('db').level).toBe('critical');
    expect(ctx.log.get('app').level).toBe('debug');
    const bad = await post('/log-level', { level: 'loud' });
    expect(bad.status).toBe(400);
    expect((await post('/log-level', {})).status).toBe(400);
  });

  test('an HTML form post is answered with a redirect back to the page', async () => {
    const { url } = await setup();
    const r = await fetch(`${url}/log-level`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        origin: url,
      },
      body: 'level=warn&logger=',
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/logs');
  });

  test('POST /reset-stats forgets every statistic', async () => {
    const { ctx, post, url } = await setup();
    expect((await post('/reset-stats')).status).toBe(200);
    expect(ctx.durations.has('req.latency')).toBe(false);
    expect((await getJSON(`${url}/stats/req.latency`)).status).toBe(404);
  });

  test('profile: start, stop with hotspots and a flame-graph-ready .cpuprofile', async () => {
    const { ctx, post, url } = await setup();
    expect((await post('/profile/stop')).status).toBe(409);
    expect((await post('/profile/start')).status).toBe(200);
    expect(ctx.sampling).toBe(true);
    expect((await post('/profile/start')).status).toBe(409);
    expect((await getJSON(`${url}/profile`)).body.sampling).toBeNull();
    // Busy work the profile can see.
    const until = Date.now() + 150;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const stop = await post('/profile/stop');
    expect(stop.status).toBe(200);
    expect(ctx.sampling).toBe(false);
    expect(stop.body.result.hotspots.length).toBeGreaterThan(0);
    expect(stop.body.result.hotspots[0]).toMatchObject({
      functionName: expect.any(String),
      selfMs: expect.any(Number),
    });
    const view = (await getJSON(`${url}/profile`)).body;
    expect(view.sampling).toBe(false);
    expect(view.last.hotspots.length).toBeGreaterThan(0);
    const file = await fetch(`${url}/profile/cpuprofile`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(
      /^attachment; filename="profile-.*\.cpuprofile"$/,
    );
    const profile = (await file.json()) as {
      nodes: unknown[];
      samples: unknown[];
      startTime: number;
    };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBeGreaterThan(0);
    const page = await (await fetch(`${url}/profile`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('<canvas id="flame"');
  });

  test('close() stops a profile the app started', async () => {
    const { ctx, meta, post } = await setup();
    expect((await post('/profile/start')).status).toBe(200);
    await meta.close();
    expect(ctx.sampling).toBe(false);
  });

  test('POST /heap-snapshot writes into heapSnapshotDir, 409 without one', async () => {
    const off = await setup();
    expect((await off.post('/heap-snapshot')).status).toBe(409);
    const dir = await mkdtemp(join(tmpdir(), 'meta-heap-'));
    cleanup(() => rm(dir, { recursive: true, force: true }));
    const { post } = await setup({ heapSnapshotDir: dir });
    const r = await post('/heap-snapshot');
    expect(r.status).toBe(200);
    expect(r.body.result.path.startsWith(dir)).toBe(true);
    expect((await stat(r.body.result.path)).size).toBeGreaterThan(100_000);
  }, 60_000);
});

import { describe, expect, test } from 'vitest';
import { COOKIE_NAME, createMetaApp } from '../src/index.js';
import { richContext } from './fixtures.js';
import { cleanup, getJSON, serve, VIEW_PATHS } from './helpers.js';

const TOKEN = 'a-long-test-token-0123456789';

async function metaURL(options: Parameters<typeof createMetaApp>[0] = {}) {
  const meta = createMetaApp({ context: richContext(), token: TOKEN, ...options });
  cleanup(() => meta.close());
  return serve(meta.handler);
}

describe('token', () => {
  test('every route but /healthz and /readyz answers 401 without it', async () => {
    const url = await metaURL({ allowMutations: true, heapSnapshotDir: '/tmp' });
    for (const path of [...VIEW_PATHS, '/metrics', '/profile/cpuprofile']) {
      const r = await getJSON(`${url}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate'), path).toMatch(/^Bearer/);
      const page = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status, path).toBe(401);
      const text = await page.text();
      expect(text, path).toContain('<form class="login"');
      expect(text, path).not.toContain('resp.bytes');
      expect(text, path).not.toContain('slow query');
    }
    for (const path of [
      '/log-level',
      '/reset-stats',
      '/profile/start',
      '/profile/stop',
      '/heap-snapshot',
    ]) {
      const r = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { accept: 'application/json' },
      });
      expect(r.status, path).toBe(401);
    }
    expect((await getJSON(`${url}/healthz`)).status).toBe(200);
    expect((await getJSON(`${url}/readyz`)).status).toBe(200);
  });

  test('Bearer header opens every view; a wrong one does not', async () => {
    const url = await metaURL();
    for (const path of VIEW_PATHS) {
      expect(
        (await getJSON(`${url}${path}`, { authorization: `Bearer ${TOKEN}` })).status,
        path,
      ).toBe(200);
    }
    expect((await getJSON(`${url}/stats`, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect(
      (await getJSON(`${url}/stats`, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status,
    ).toBe(401);
    expect((await getJSON(`${url}/stats`, { authorization: TOKEN })).status).toBe(401);
  });

  test('the login form sets an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const url = await metaURL();
    const bad = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
      body: 'token=wrong&next=%2Fstats',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const ok = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: url,
        'sec-fetch-site': 'same-origin',
      },
      body: `token=${TOKEN}&next=%2Fstats%3Fprefix%3Dreq`,
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/stats?prefix=req');
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${COOKIE_NAME}=`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(';')[0] as string;
    expect((await getJSON(`${url}/stats`, { cookie: pair })).status).toBe(200);
    expect((await getJSON(`${url}/stats`, { cookie: `${pair}x` })).status).toBe(401);
    // An open redirect through `next` is refused.
    const evil = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}&next=%2F%2Fevil.example%2F`,
    });
    expect(evil.headers.get('location')).toBe('/');
  });

  test('a cross-site login is refused', async () => {
    const url = await metaURL();
    const r = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        accept: 'application/json',
      },
      body: `token=${TOKEN}`,
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});

describe('mutations', () => {
  const MUTATIONS = ['/log-level', '/reset-stats', '/profile/start', '/heap-snapshot'];

  test('are refused (403) unless allowMutations, even with the token', async () => {
    const url = await metaURL();
    for (const path of MUTATIONS) {
      const r = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        body: '{"level":"debug"}',
      });
      expect(r.status, path).toBe(403);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(
        /allowMutations/,
      );
    }
  });

  test('are POST-only: GET gets 405', async () => {
    const url = await metaURL({ allowMutations: true });
    for (const path of [
      '/log-level',
      '/reset-stats',
      '/heap-snapshot',
      '/profile/start',
      '/profile/stop',
    ]) {
      const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status, path).toBe(405);
    }
  });

  test('cross-site POSTs are refused by Origin and by Sec-Fetch-Site', async () => {
    const ctx = richContext();
    const meta = createMetaApp({ context: ctx, token: TOKEN, allowMutations: true });
    cleanup(() => meta.close());
    const url = await serve(meta.handler);
    const auth = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
    const cases: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: url.replace('127.0.0.1', 'localhost') },
    ];
    for (const headers of cases) {
      const r = await fetch(`${url}/reset-stats`, {
        method: 'POST',
        headers: { ...auth, ...headers },
      });
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    expect(ctx.durations.has('req.latency')).toBe(true);
    // Same origin (a browser form on this page) and programs without Origin go through.
    const same = await fetch(`${url}/reset-stats`, {
      method: 'POST',
      headers: { ...auth, origin: url, 'sec-fetch-site': 'same-origin' },
    });
    expect(same.status).toBe(200);
    expect(ctx.durations.has('req.latency')).toBe(false);
  });

  test('without a token (local use) mutations still need allowMutations and same origin', async () => {
    const meta = createMetaApp({ context: richContext() });
    cleanup(() => meta.close());
    const url = await serve(meta.handler);
    expect((await fetch(`${url}/reset-stats`, { method: 'POST' })).status).toBe(403);
  });
});

test('security headers on every page', async () => {
  const url = await metaURL();
  const r = await fetch(`${url}/stats`, {
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/html' },
  });
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  expect(r.headers.get('x-frame-options')).toBe('DENY');
  expect(r.headers.get('cache-control')).toBe('no-store');
  expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
});

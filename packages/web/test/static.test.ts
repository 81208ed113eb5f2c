import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Application, staticFiles } from '../src/index.js';
import { type Served, serve } from './serve.js';

let dir: string;
let served: Served | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'support-web-static-'));
  mkdirSync(join(dir, 'public', 'docs'), { recursive: true });
  mkdirSync(join(dir, 'public', '.git'));
  writeFileSync(join(dir, 'public', 'hello.txt'), 'hello file');
  writeFileSync(join(dir, 'public', 'a b.css'), 'body{}');
  writeFileSync(join(dir, 'public', 'docs', 'index.html'), '<h1>docs</h1>');
  writeFileSync(join(dir, 'public', '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'public', '.git', 'config'), 'secret');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'public', 'escape.txt'));
  symlinkSync(join(dir, 'public', 'hello.txt'), join(dir, 'public', 'inside-link.txt'));
  symlinkSync(join(dir, 'public', '.env'), join(dir, 'public', 'env-link.txt'));
  symlinkSync(join(dir, 'public', '.git'), join(dir, 'public', 'git-link'));
  mkdirSync(join(dir, 'public', 'hidden-index'));
  symlinkSync(join(dir, 'public', '.env'), join(dir, 'public', 'hidden-index', 'index.html'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** A request whose path is sent exactly as written (fetch would normalize `..`). */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(): Promise<number> {
  const app = new Application([staticFiles('/static', join(dir, 'public'))]);
  served = await serve(app.handler);
  return served.port;
}

describe('staticFiles', () => {
  it('serves files with type, length, validators and HEAD', async () => {
    const port = await start();
    const file = await rawGet(port, '/static/hello.txt');
    expect(file.status).toBe(200);
    expect(file.body).toBe('hello file');
    expect(file.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(file.headers['content-length']).toBe('10');
    expect(file.headers.etag).toMatch(/^W\/"/);
    const head = await rawGet(port, '/static/hello.txt', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body).toBe('');
    const spaced = await rawGet(port, '/static/a%20b.css');
    expect(spaced.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawGet(port, '/static/docs/')).body).toBe('<h1>docs</h1>');
    expect((await rawGet(port, '/static/inside-link.txt')).body).toBe('hello file');
  });

  it('answers conditional requests with 304', async () => {
    const port = await start();
    const first = await rawGet(port, '/static/hello.txt');
    const etag = first.headers.etag as string;
    const again = await rawGet(port, '/static/hello.txt', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const since = await rawGet(port, '/static/hello.txt', {
      'if-modified-since': first.headers['last-modified'] as string,
    });
    expect(since.status).toBe(304);
  });

  it('refuses every path that leaves the root or names hidden files', async () => {
    const port = await start();
    const attempts = [
      '/static/../secret.txt',
      '/static/..%2fsecret.txt',
      '/static/%2e%2e/secret.txt',
      '/static/%2e%2e%2fsecret.txt',
      '/static/docs/../../secret.txt',
      '/static/..%5csecret.txt',
      '/static/hello.txt%00.png',
      '/static/escape.txt',
      '/static/.env',
      '/static/.git/config',
      '/static/%2egit/config',
      '/static/missing.txt',
      '/static//etc/passwd',
      '/static/env-link.txt',
      '/static/git-link/config',
      '/static/hidden-index/',
      '/static/hello.txt/',
      '/static/hello.txt//',
      '/static/docs/index.html/',
    ];
    for (const path of attempts) {
      const res = await rawGet(port, path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body).not.toContain('outside');
      expect(res.body).not.toContain('SECRET');
    }
  });

  it('serves a dotfile through a symlink only when dotfiles are allowed', async () => {
    const app = new Application([staticFiles('/static', join(dir, 'public'), { dotfiles: true })]);
    served = await serve(app.handler);
    expect((await rawGet(served.port, '/static/env-link.txt')).body).toBe('SECRET=1');
    expect((await rawGet(served.port, '/static/.env')).body).toBe('SECRET=1');
  });

  it('checks its options and its root', () => {
    expect(() => staticFiles('/s', join(dir, 'nope'))).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_OPTION' }),
    );
    expect(() => staticFiles('/s', dir, { index: '../x' })).toThrow(/options\.index/);
    expect(() => staticFiles('/s', dir, { maxAge: -1 })).toThrow(/options\.maxAge/);
  });
});

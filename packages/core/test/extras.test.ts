import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Application, Response, route } from '../src/index.js';
import { get, groups, sleep } from './helpers.js';

const g = groups();
const local = { host: '127.0.0.1', port: 0 };

describe('Group: metaAddress', () => {
  it('serves the meta app from the local Context, with the routes of served Applications', async () => {
    const app = new Application([route('/', () => new Response('home'))]);
    const group = await g.start({ http: [{ app, address: local }], metaAddress: local });
    await get(group.port('http'));
    const meta = group.port('meta');
    expect((await get(meta, { path: '/healthz' })).status).toBe(200);
    const stats = await get(meta, { path: '/stats?format=json' });
    expect(stats.status).toBe(200);
    expect(stats.body).toContain('http.request');
    const components = await get(meta, { path: '/components?format=json' });
    expect(components.body).toContain('"group"');
    const routes = await get(meta, { path: '/routes?format=json' });
    expect(routes.body).toContain('"http"');
    const metrics = await get(meta, { path: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/http/);
  });
});

describe('Group: consoleAddress', () => {
  it('serves a REPL on a Unix socket created with mode 0600, with group and context in scope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-core-console-'));
    g.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'console.sock');
    await g.start({
      http: [{ app: (_q, s) => s.end('x'), address: local }],
      consoleAddress: { path },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const socket = connect(path);
    socket.setEncoding('utf8');
    let out = '';
    socket.on('data', (chunk) => {
      out += chunk;
    });
    await once(socket, 'connect');
    socket.write('group.state + " " + typeof context.snapshot\n');
    for (let i = 0; i < 50 && !out.includes('running function'); i++) await sleep(20);
    expect(out).toContain("'running function'");
    socket.on('error', () => {});
    socket.end('.exit\n');
    await once(socket, 'close');
  });

  it('serves the REPL on a loopback port', async () => {
    const group = await g.start({
      http: [{ app: (_q, s) => s.end('x'), address: local }],
      consoleAddress: local,
    });
    const socket = connect(group.port('console'), '127.0.0.1');
    socket.setEncoding('utf8');
    let out = '';
    socket.on('data', (chunk) => {
      out += chunk;
    });
    socket.write('1 + 41\n');
    for (let i = 0; i < 50 && !out.includes('42'); i++) await sleep(20);
    expect(out).toContain('42');
    socket.destroy();
  });
});

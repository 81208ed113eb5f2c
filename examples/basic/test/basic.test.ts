import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { countPrimes } from '../src/index.js';

const DIR = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null)
    child.kill('SIGKILL');
  child = undefined;
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('examples/basic', () => {
  it('counts primes', () => {
    expect(countPrimes(100)).toBe(25);
  });

  it('answers on the service and meta ports, calls its backend and the thread pool, and stops on SIGTERM', async () => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@support/source', 'src/main.ts'],
      {
        cwd: DIR,
        env: { ...process.env, PORT: '0', META_PORT: '0', HOST: '127.0.0.1', WORKERS: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    proc.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = once(proc, 'exit');
    const deadline = Date.now() + 40_000;
    while (!out.includes('Ctrl-C stops it cleanly')) {
      if (Date.now() > deadline || proc.exitCode !== null)
        throw new Error(`no ready banner:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const http = Number(/http:\/\/127\.0\.0\.1:(\d+)\/ +Welcome/.exec(out)?.[1]);
    const meta = Number(/http:\/\/127\.0\.0\.1:(\d+)\/ +the meta app/.exec(out)?.[1]);

    expect(await get(http, '/')).toEqual({ status: 200, body: 'Welcome to SuPPort!\n' });
    const backend = await get(http, '/backend');
    expect(backend.status).toBe(200);
    expect(JSON.parse(backend.body).backend).toMatch(new RegExp(`^PONG ${proc.pid} `));
    const cpu = await get(http, '/cpu?limit=100000');
    expect(cpu.status).toBe(200);
    expect(JSON.parse(cpu.body).primes).toBe(9592);
    expect((await get(http, '/cpu?limit=x')).status).toBe(400);

    expect((await get(meta, '/healthz')).status).toBe(200);
    const workers = await get(meta, '/workers?format=json');
    expect(workers.status).toBe(200);
    const list = JSON.parse(workers.body).workers as Array<{ state: string; pid: number }>;
    expect(list.map((w) => w.state)).toEqual(['ready', 'ready']);
    expect(list.map((w) => w.pid)).not.toContain(proc.pid);

    proc.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toContain('SuPPort basic example: stopped');
  }, 90_000);
});

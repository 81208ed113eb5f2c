import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { get, sleep } from './helpers.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(PKG, 'src/cli.ts');
const HELLO = 'test/fixtures/hello-app.mjs';
const children = new Set<ChildProcess>();
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const c of cleanups.splice(0)) c();
});

interface Run {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

function cli(...args: string[]): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@support/source', CLI, ...args],
    {
      cwd: PKG,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(...c.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (c: Buffer) => err.push(...c.toString().split('\n').filter(Boolean)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, out, err, exited };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const portOf = (line: string, name: string) =>
  Number(new RegExp(`${name} [^,]*:(\\d+)`).exec(line)?.[1]);

describe('support CLI', () => {
  it('prints help', async () => {
    const run = cli('--help');
    expect(await run.exited).toBe(0);
    expect(run.out.join('\n')).toContain('support serve <module> [options]');
  });

  it('rejects a bad flag and a module without a usable default export with one line and a non-zero exit', async () => {
    const bad = cli('serve', HELLO, '--prot', '1');
    expect(await bad.exited).toBe(2);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/^support: .*--prot/);
    const noApp = cli('serve', 'test/fixtures/no-default.mjs', '--port', '0', '--workers', '0');
    expect(await noApp.exited).toBe(1);
    expect(noApp.err).toEqual([expect.stringMatching(/^support: .*no usable default export/)]);
    const badPort = cli('serve', HELLO, '--port', 'x');
    expect(await badPort.exited).toBe(2);
    expect(badPort.err).toEqual(['support: --port must be an integer from 0 to 65535, got "x"']);
  }, 60_000);

  it('serves a module in one process with the meta app, and stops on SIGTERM', async () => {
    const run = cli(
      'serve',
      HELLO,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--workers',
      '0',
      '--meta',
      '0',
    );
    const ready = await waitFor('the ready line', () =>
      run.out.find((l) => l.startsWith('support: serving')),
    );
    const reply = await get(portOf(ready, 'http'));
    expect(reply.body).toBe(`hello from ${run.child.pid}\n`);
    expect((await get(portOf(ready, 'meta'), { path: '/healthz' })).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('daemonizes a preforked group and answers status, reload and stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pidfile = join(dir, 'support.pid');
    const logfile = join(dir, 'support.log');
    const start = cli(
      'serve',
      HELLO,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--workers',
      '2',
      '--daemon',
      '--pidfile',
      pidfile,
      '--logfile',
      logfile,
    );
    expect(await start.exited).toBe(0);
    const daemonPid = Number(readFileSync(pidfile, 'utf8'));
    cleanups.push(() => {
      try {
        process.kill(daemonPid, 'SIGKILL');
      } catch {}
    });
    const ready = await waitFor('the ready line in the log', () =>
      readFileSync(logfile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('support: serving')),
    );
    const port = portOf(ready, 'http');
    const first = await get(port);
    expect(first.status).toBe(200);
    expect(first.body).not.toBe(`hello from ${daemonPid}\n`);

    const status = cli('status', '--pidfile', pidfile);
    expect(await status.exited).toBe(0);
    expect(status.out).toEqual([`running, pid ${daemonPid}`]);

    const reload = cli('reload', '--pidfile', pidfile);
    expect(await reload.exited).toBe(0);
    // After the rolling reload, answers come from workers that were not there before.
    const before = new Set([first.body]);
    for (let i = 0; i < 10; i++) before.add((await get(port)).body);
    let replaced = false;
    for (let i = 0; i < 200 && !replaced; i++) {
      replaced = !before.has((await get(port)).body);
      if (!replaced) await sleep(100);
    }
    expect(replaced).toBe(true);

    const stop = cli('stop', '--pidfile', pidfile);
    expect(await stop.exited).toBe(0);
    expect(stop.out).toEqual([`stopped ${daemonPid}`]);
    expect(existsSync(pidfile)).toBe(false);
    const gone = cli('status', '--pidfile', pidfile);
    expect(await gone.exited).toBe(1);
  }, 90_000);
});

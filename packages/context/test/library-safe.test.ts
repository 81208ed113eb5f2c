import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from './child.js';

// connmgr and threadpool report into getContext() by default. Used with their
// default options in a fresh process, they must start no thread but the
// pool's own and open no inspector session: the default context has the
// watchdog off. The child counts every Worker and every inspector session
// created in it (the builtins are wrapped before anything is imported), and
// runs the workspace packages from src/ as their own tests do (tsx, `source`
// condition). The same program with the watchdog turned on shows that the
// count sees the watchdog's thread.

const src = (pkg: string, file = 'src/index.ts') =>
  fileURLToPath(new URL(`../../${pkg}/${file}`, import.meta.url));
const tsLoader = src('threadpool', 'test/fixtures/ts-loader.mjs');

const PROGRAM = `
import net from 'node:net';
import inspector from 'node:inspector';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import wt from 'node:worker_threads';

// Threads that exist before anything is imported (tsx's module hooks thread).
const threadsBefore = process.report.getReport().workers.length;
const workers = [];
const RealWorker = wt.Worker;
wt.Worker = class CountedWorker extends RealWorker {
  constructor(file, options) {
    super(file, options);
    workers.push(options?.eval ? 'eval' : String(file));
  }
};
const sessions = [];
for (const method of ['connect', 'connectToMainThread']) {
  const original = inspector.Session.prototype[method];
  inspector.Session.prototype[method] = function (...args) {
    sessions.push(method);
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();

const url = (path) => pathToFileURL(path).href;
const { ConnectionManager } = await import(url(${JSON.stringify(src('connmgr'))}));
const { closePools, configurePools } = await import(url(${JSON.stringify(src('threadpool'))}));
const { getContext } = await import(url(${JSON.stringify(src('context'))}));
if (process.argv[2] === 'watchdog') await getContext().setWatchdog(true);

// The pool threads load the TypeScript task module through tsx, as in
// threadpool's own tests; every other option is the default.
const fromSource = { preload: [url(${JSON.stringify(tsLoader)})], execArgv: ['--conditions=@support/source'] };
configurePools({ cpu: fromSource, io: fromSource });
const tasks = await import(url(${JSON.stringify(src('threadpool', 'test/fixtures/tasks.ts'))}));

const server = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const mgr = new ConnectionManager();
const sock = await mgr.getConnection('127.0.0.1:' + server.address().port);
const echoed = await new Promise((resolve) => {
  sock.socket.once('data', (d) => resolve(String(d)));
  sock.socket.write('ping');
});
mgr.release(sock);
const results = await Promise.all([tasks.double(21), tasks.nested()]);
const ctx = getContext();
const out = {
  echoed,
  double: results[0],
  watching: ctx.watching,
  monitoring: ctx.monitoring,
  workers,
  sessions,
  newThreads: process.report.getReport().workers.length - threadsBefore,
};
await mgr.close();
await closePools();
server.close();
process.stdout.write(JSON.stringify(out) + '\\n');
process.exit(0);
`;

let dir: string;
let program: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'context-library-safe-'));
  program = join(dir, 'program.mjs');
  await writeFile(program, PROGRAM);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Out {
  echoed: string;
  double: number;
  watching: boolean;
  monitoring: boolean;
  workers: string[];
  sessions: string[];
  newThreads: number;
}

async function run(mode: 'default' | 'watchdog'): Promise<{ out: Out; stderr: string }> {
  const r = await runNode(program, {
    args: [mode],
    execArgv: ['--conditions=@support/source', '--import', tsLoader],
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  return { out: JSON.parse(r.stdout.trim().split('\n').pop()!) as Out, stderr: r.stderr };
}

describe('connmgr and threadpool with default options', () => {
  it('start no thread but the pool’s own and open no inspector session', async () => {
    const { out, stderr } = await run('default');
    expect(out.echoed).toBe('ping');
    expect(out.double).toBe(42);
    expect(out.watching).toBe(false);
    expect(out.monitoring).toBe(true);
    expect(out.workers.length).toBeGreaterThan(0);
    for (const file of out.workers) expect(file).toMatch(/piscina/);
    expect(out.newThreads).toBe(out.workers.length);
    expect(out.sessions).toEqual([]);
    expect(stderr).toBe('');
  }, 90_000);

  it('the same count sees the watchdog’s thread once the app turns it on', async () => {
    const { out, stderr } = await run('watchdog');
    expect(out.watching).toBe(true);
    expect(out.workers.filter((w) => w === 'eval')).toHaveLength(1);
    expect(out.newThreads).toBe(out.workers.length);
    expect(stderr).toBe('');
  }, 90_000);
});

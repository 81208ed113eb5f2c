import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/app.mjs', import.meta.url));
const PKG = fileURLToPath(new URL('..', import.meta.url));

/** A running fixture arbiter (test/fixtures/app.mjs) and its output. */
export interface App {
  child: ChildProcess;
  /** Pid of the arbiter serving now (changes after a hot upgrade). */
  pid: number;
  port: number;
  /** Port of the fixture's admin server (status, snapshots, commands) in the arbiter process. */
  admin: number;
  versionFile: string;
  output: string[];
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  setVersion(version: string): void;
  /** Every arbiter pid seen (READY lines), for cleanup. */
  pids: Set<number>;
  stop(): Promise<void>;
}

const apps = new Set<App>();

/** Starts the fixture with `opts` (merged into the Arbiter options) and waits for READY. */
export async function startApp(
  opts: Record<string, unknown> = {},
  version = 'v1',
  /** `until`: return once a line matches it (the arbiter's pid in `pid`), not at READY. */
  extra: { log?: boolean; until?: RegExp } = {},
): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), 'prefork-test-'));
  const versionFile = join(dir, 'version');
  writeFileSync(versionFile, version);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@support/source', FIXTURE],
    {
      cwd: PKG,
      env: {
        ...process.env,
        PREFORK_TEST_OPTS: JSON.stringify(opts),
        VERSION_FILE: versionFile,
        ...(extra.log ? { PREFORK_TEST_LOG: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so cleanup can reach workers and successors too.
      detached: true,
    },
  );
  const output: string[] = [];
  const waiters: Array<() => void> = [];
  const onLine = (line: string) => {
    output.push(line);
    if (process.env.PREFORK_TEST_VERBOSE) console.log(Date.now() % 100_000, line);
    for (const w of waiters.slice()) w();
  };
  let partial = '';
  const onData = (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const app: App = {
    child,
    pid: 0,
    port: 0,
    admin: 0,
    versionFile,
    output,
    pids: new Set(),
    setVersion: (v) => writeFileSync(versionFile, v),
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        let from = 0;
        const check = () => {
          for (; from < output.length; from++) {
            const m = (output[from] as string).match(pattern);
            if (m) {
              cleanup();
              resolve(m);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${output.join('\n')}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i !== -1) waiters.splice(i, 1);
        };
        waiters.push(check);
        check();
      }),
    stop: async () => {
      apps.delete(app);
      for (const pid of app.pids) signal(pid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while ([...app.pids].some(alive) && Date.now() < deadline) await sleep(50);
      for (const pid of app.pids) signal(pid, 'SIGKILL');
      if (child.pid !== undefined) signal(-child.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  apps.add(app);
  if (extra.until !== undefined) {
    await app.waitFor(extra.until);
    app.pid = child.pid as number;
    app.pids.add(app.pid);
    return app;
  }
  const m = await app.waitFor(/^(?:READY (\d+) (\d+)|FAILED .*)/);
  if (m[0].startsWith('FAILED')) {
    await app.stop();
    throw new Error(m[0]);
  }
  app.pid = Number(m[1]);
  app.port = Number(m[2]);
  app.pids.add(app.pid);
  const admin = app.output.find((l) => l.startsWith('ADMIN '));
  app.admin = Number((admin ?? (await app.waitFor(/^ADMIN \d+/))[0]).split(' ')[1]);
  return app;
}

/** Stops every app a test left running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...apps].map((a) => a.stop()));
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {}
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Reply {
  status: number;
  body: string;
}

/** One GET; rejects on a connection error or after `timeout` ms. */
export function get(
  port: number,
  path: string,
  agent?: http.Agent,
  timeout = 10_000,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: agent ?? false, timeout },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export interface LoadResult {
  ok: number;
  failed: number;
  status: Record<number, number>;
  errors: string[];
  bodies: Map<string, number>;
}

/**
 * Closed-loop load: `clients` keep-alive clients each send GET `path` back
 * to back until `stop()` is called. Bounded by the caller's stop().
 */
export function load(port: number, path: string, clients: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const result: LoadResult = { ok: 0, failed: 0, status: {}, errors: [], bodies: new Map() };
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      try {
        const r = await get(port, path, agent);
        result.status[r.status] = (result.status[r.status] ?? 0) + 1;
        if (r.status === 200) result.ok++;
        else result.failed++;
        const key = r.body.split(' ').slice(0, 2).join(' ');
        result.bodies.set(key, (result.bodies.get(key) ?? 0) + 1);
      } catch (error) {
        result.failed++;
        if (result.errors.length < 20) result.errors.push((error as Error).message);
      }
    }
  });
  return {
    result,
    async stop(): Promise<LoadResult> {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

/** GET a JSON value from the fixture's admin server. */
// biome-ignore lint/suspicious/noExplicitAny: JSON from the fixture, checked field by field by the tests
export async function adminGet(app: App, path: string): Promise<{ status: number; value: any }> {
  const r = await get(app.admin, path);
  return { status: r.status, value: JSON.parse(r.body) };
}

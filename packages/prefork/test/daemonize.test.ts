import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonize, livePid } from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/daemon-app.mjs', import.meta.url));
const PKG = fileURLToPath(new URL('..', import.meta.url));

const pids = new Set<number>();
const dirs: string[] = [];
afterEach(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  pids.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp() {
  const dir = mkdtempSync(join(tmpdir(), 'prefork-daemon-'));
  dirs.push(dir);
  return { pidfile: join(dir, 'app.pid'), logfile: join(dir, 'app.log') };
}

/** Runs the fixture; resolves with its exit code and output once the starting process exits. */
function start(
  pidfile: string,
  logfile: string,
): Promise<{ code: number; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@support/source', FIXTURE, pidfile, logfile],
      { cwd: PKG, timeout: 20_000 },
      (error, _stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stderr, ms: performance.now() - t0 });
      },
    );
  });
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('daemonize (real processes)', () => {
  it('detaches into its own session, writes the pidfile, logs to the logfile, and removes the pidfile on SIGTERM', async () => {
    const { pidfile, logfile } = tmp();
    const r = await start(pidfile, logfile);
    expect(r.code).toBe(0);
    const pid = livePid(pidfile);
    expect(pid).toBeTypeOf('number');
    pids.add(pid as number);
    // The starting process has exited; the daemon lives on, as a session leader (setsid).
    const sid = Number(
      execFileSync('ps', ['-o', 'sid=', '-p', String(pid)])
        .toString()
        .trim(),
    );
    expect(sid).toBe(pid);
    await waitFor(
      () => existsSync(logfile) && readFileSync(logfile, 'utf8').includes('daemon daemon'),
    );
    expect(readFileSync(logfile, 'utf8')).toContain(`daemon daemon ${pid}`);

    process.kill(pid as number, 'SIGTERM');
    await waitFor(() => livePid(pidfile) === undefined && !existsSync(pidfile));
    pids.delete(pid as number);
  });

  it('refuses to start while the pidfile names a live process', async () => {
    const { pidfile, logfile } = tmp();
    expect((await start(pidfile, logfile)).code).toBe(0);
    const pid = livePid(pidfile) as number;
    pids.add(pid);
    const second = await start(pidfile, logfile);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/SUP_ERR_PREFORK_ALREADY_RUNNING: .* names process \d+/);
    expect(livePid(pidfile)).toBe(pid);
  });

  it('replaces a stale pidfile (dead process)', async () => {
    const { pidfile, logfile } = tmp();
    writeFileSync(pidfile, '999999999\n');
    const r = await start(pidfile, logfile);
    expect(r.code).toBe(0);
    const pid = livePid(pidfile) as number;
    pids.add(pid);
    expect(pid).not.toBe(999999999);
  });

  it('rejects bad options naming them', async () => {
    await expect(daemonize({} as never)).rejects.toThrow(/options\.pidfile/);
    await expect(daemonize({ pidfile: '/tmp/x.pid', extra: 1 } as never)).rejects.toThrow(
      /options\.extra/,
    );
  });
});

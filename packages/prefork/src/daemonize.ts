import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { codes, PreforkError } from './errors.js';
import { fn, invalid, ms, plainObject, rejectUnknown } from './validate.js';

/** Set in the detached process so it knows it is the daemon. */
export const DAEMON_ENV = 'SUP_PREFORK_DAEMON';

/** Options of {@link daemonize}. */
export interface DaemonizeOptions {
  /** File the daemon writes its pid to; a live pid in it makes daemonize refuse to start. */
  pidfile: string;
  /** File (appended) that receives the daemon's stdout and stderr. @default none: output is discarded */
  logfile?: string;
  /** Ms the parent waits for the daemon to write its pidfile. @default 10000 */
  startTimeout?: number;
  /**
   * Called in the parent once the daemon is up, instead of `process.exit(0)`.
   * @default exits the parent
   */
  onDetached?: (pid: number) => void;
}

const known = { pidfile: 0, logfile: 0, startTimeout: 0, onDetached: 0 };

/** What daemonize() resolves with in the daemon (in the parent it exits, or resolves after onDetached). */
export interface DaemonInfo {
  role: 'daemon' | 'parent';
  /** The daemon's pid. */
  pid: number;
  pidfile: string;
}

/** The pid in `pidfile` if that process is alive, else undefined (no file, garbage, or a dead process). */
export function livePid(pidfile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidfile, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!/^\d+$/.test(text)) return undefined;
  const pid = Number(text);
  if (pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/**
 * Runs the rest of this program as a daemon.
 *
 * In the starting process: refuses (ALREADY_RUNNING) when the pidfile names
 * a live process, re-spawns the same script (same execArgv and argv) in a
 * new session (`detached`, setsid) with stdin closed and stdout/stderr
 * appended to `logfile`, waits until the daemon has written its pidfile,
 * then exits with status 0 (or calls `onDetached`). In the daemon: checks
 * the pidfile again, writes its pid, removes the file on exit (including
 * SIGTERM/SIGINT/SIGHUP when nothing else handles them), and resolves.
 * The working directory is kept; paths are resolved against it first.
 */
export async function daemonize(options: DaemonizeOptions): Promise<DaemonInfo> {
  plainObject(options, 'options');
  rejectUnknown(options, known, 'options');
  if (typeof options.pidfile !== 'string' || options.pidfile === '') {
    throw invalid('options.pidfile', 'must be a non-empty path');
  }
  if (
    options.logfile !== undefined &&
    (typeof options.logfile !== 'string' || options.logfile === '')
  ) {
    throw invalid('options.logfile', 'must be a non-empty path');
  }
  const startTimeout = ms(options.startTimeout ?? 10_000, 'options.startTimeout');
  if (options.onDetached !== undefined) fn(options.onDetached, 'options.onDetached');
  const pidfile = resolve(options.pidfile);
  const logfile = options.logfile === undefined ? undefined : resolve(options.logfile);

  const running = livePid(pidfile);
  if (running !== undefined && running !== process.pid) {
    throw new PreforkError(
      codes.ALREADY_RUNNING,
      `${pidfile} names process ${running}, which is still running`,
    );
  }
  if (process.env[DAEMON_ENV] === pidfile) return becomeDaemon(pidfile);

  const out = logfile === undefined ? 'ignore' : openSync(logfile, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, [DAEMON_ENV]: pidfile },
    });
  } catch (error) {
    throw new PreforkError(codes.DAEMONIZE_FAILED, `could not start the daemon: ${String(error)}`, {
      cause: error,
    });
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
  const pid = await waitForPidfile(child, pidfile, startTimeout);
  child.unref();
  if (options.onDetached) {
    options.onDetached(pid);
    return { role: 'parent', pid, pidfile };
  }
  process.exit(0);
}

function waitForPidfile(
  child: ReturnType<typeof spawn>,
  pidfile: string,
  timeout: number,
): Promise<number> {
  return new Promise((resolvePid, reject) => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const fail = (why: string, cause?: unknown) => {
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      reject(new PreforkError(codes.DAEMONIZE_FAILED, why, { cause }));
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`the daemon exited (${signal ?? `code ${code}`}) before writing ${pidfile}`);
    child.once('exit', onExit);
    child.once('error', (error) => fail(`could not start the daemon: ${error.message}`, error));
    const poll = () => {
      if (child.pid !== undefined && livePid(pidfile) === child.pid) {
        child.removeListener('exit', onExit);
        resolvePid(child.pid);
        return;
      }
      if (Date.now() - started > timeout) {
        child.kill('SIGTERM');
        fail(`the daemon did not write ${pidfile} within ${timeout} ms`);
        return;
      }
      timer = setTimeout(poll, 20);
    };
    poll();
  });
}

function becomeDaemon(pidfile: string): DaemonInfo {
  delete process.env[DAEMON_ENV];
  try {
    // 'wx' fails if another daemon won a race since the check; a stale file is replaced.
    try {
      writeFileSync(pidfile, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const other = livePid(pidfile);
      if (other !== undefined && other !== process.pid) {
        throw new PreforkError(
          codes.ALREADY_RUNNING,
          `${pidfile} names process ${other}, which is still running`,
        );
      }
      writeFileSync(pidfile, `${process.pid}\n`);
    }
  } catch (error) {
    if (error instanceof PreforkError) throw error;
    throw new PreforkError(codes.DAEMONIZE_FAILED, `could not write ${pidfile}: ${String(error)}`, {
      cause: error,
    });
  }
  const remove = () => {
    try {
      if (readFileSync(pidfile, 'utf8').trim() === String(process.pid)) unlinkSync(pidfile);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', remove);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else (an Arbiter) handles it and exits in its own time.
      if (process.listenerCount(signal) > 1) return;
      process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
    };
    process.on(signal, onSignal);
  }
  return { role: 'daemon', pid: process.pid, pidfile };
}

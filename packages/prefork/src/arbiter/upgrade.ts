import { type ChildProcess, spawn } from 'node:child_process';
import { LISTEN_FDS_ENV, LISTEN_PID_ENV, UPGRADE_ENV, WORKER_ID_ENV } from '../env.js';
import { codes, PreforkError } from '../errors.js';
import { isOurs, TAG, type UpgradeMessage } from '../protocol.js';

/**
 * Starts a new arbiter from the script on disk with the listening sockets
 * as inherited fds 3, 4, … (LISTEN_FDS, as systemd socket activation does),
 * and waits until it says its workers are ready. On timeout or early exit
 * the new arbiter is killed and the promise rejects; the caller keeps serving.
 */
export function spawnSuccessor(
  fds: number[],
  timeout: number,
  killGrace: number,
): Promise<{ child: ChildProcess; pid: number }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [LISTEN_FDS_ENV]: String(fds.length),
    [UPGRADE_ENV]: '1',
  };
  delete env[LISTEN_PID_ENV];
  delete env[WORKER_ID_ENV];
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, ...process.argv.slice(2)],
    {
      stdio: ['inherit', 'inherit', 'inherit', ...fds, 'ipc'],
      env,
    },
  );
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('message', onMessage);
      try {
        child.kill('SIGTERM');
      } catch {}
      setTimeout(() => {
        try {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        } catch {}
      }, killGrace).unref();
      reject(
        new PreforkError(
          codes.UPGRADE_FAILED,
          `hot upgrade rolled back: the new arbiter (pid ${child.pid}) ${why}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`was not ready within ${timeout} ms`), timeout);
    timer.unref();
    const onMessage = (msg: unknown) => {
      if (!isOurs(msg) || (msg as UpgradeMessage).t !== 'upgrade-ready' || settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.disconnect();
      child.unref();
      resolve({ child, pid: child.pid ?? -1 });
    };
    child.on('message', onMessage);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) =>
      fail(`exited (${signal ?? `code ${code}`}) before it was ready`),
    );
  });
}

/** In a new arbiter started by a hot upgrade: tells the predecessor that this one serves now. */
export function announceUpgradeReady(): Promise<void> {
  if (process.env[UPGRADE_ENV] === undefined || process.send === undefined || !process.connected)
    return Promise.resolve();
  delete process.env[UPGRADE_ENV];
  const msg: UpgradeMessage = { sup: TAG, t: 'upgrade-ready', pid: process.pid };
  return new Promise((resolve) => {
    process.send?.(msg, undefined, {}, () => {
      // The predecessor disconnects once it has the message; nothing keeps this channel open.
      resolve();
    });
  });
}

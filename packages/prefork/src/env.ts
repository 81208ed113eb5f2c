// The environment variables that tie an arbiter, its workers and a hot
// upgrade's successor together.

/** Set in a worker process to its slot id. */
export const WORKER_ID_ENV = 'SUP_PREFORK_WORKER_ID';
/** JSON of the arbiter Context's config, so each worker's Context starts with the same service configuration. */
export const CONFIG_ENV = 'SUP_PREFORK_CONFIG';
/** Set in a new arbiter started by a hot upgrade: it reports readiness to its predecessor over IPC. */
export const UPGRADE_ENV = 'SUP_PREFORK_UPGRADE';
/** systemd socket activation: how many listening fds start at fd 3. */
export const LISTEN_FDS_ENV = 'LISTEN_FDS';
/** systemd socket activation: the pid the fds are meant for (absent when a predecessor arbiter passes them). */
export const LISTEN_PID_ENV = 'LISTEN_PID';
/** First inherited listening fd (systemd's SD_LISTEN_FDS_START). */
export const LISTEN_FDS_START = 3;

/** True in a worker process started by an Arbiter. */
export function isWorker(): boolean {
  return workerId() !== undefined;
}

/** This worker's slot id (0 … workers-1), or undefined outside a worker. */
export function workerId(): number | undefined {
  const raw = process.env[WORKER_ID_ENV];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Listening fds this process inherited (systemd socket activation or a
 * predecessor arbiter), in order. Reads LISTEN_FDS once and removes it (and
 * LISTEN_PID) from the environment so children do not inherit the claim.
 */
export function takeInheritedFds(): number[] {
  const count = process.env[LISTEN_FDS_ENV];
  const pid = process.env[LISTEN_PID_ENV];
  delete process.env[LISTEN_FDS_ENV];
  delete process.env[LISTEN_PID_ENV];
  delete process.env.LISTEN_FDNAMES;
  if (count === undefined || !/^\d+$/.test(count)) return [];
  if (pid !== undefined && Number(pid) !== process.pid) return [];
  return Array.from({ length: Number(count) }, (_, i) => LISTEN_FDS_START + i);
}

/** Stable codes of every error @support/prefork throws; add new codes here. */
export const codes = {
  /** An option passed to the Arbiter, the admission or daemonize() is invalid. */
  INVALID_OPTION: 'SUP_ERR_PREFORK_INVALID_OPTION',
  /** Workers kept failing before they became ready; the arbiter stopped instead of respawning forever. */
  START_FAILED: 'SUP_ERR_PREFORK_START_FAILED',
  /** A listening socket could not be opened (port taken, bad address, bad inherited fd). */
  LISTEN_FAILED: 'SUP_ERR_PREFORK_LISTEN_FAILED',
  /** The arbiter is stopped or closed; the call cannot proceed. */
  CLOSED: 'SUP_ERR_PREFORK_CLOSED',
  /** A worker did not answer a command or snapshot request within its timeout. */
  TIMEOUT: 'SUP_ERR_PREFORK_TIMEOUT',
  /** No worker has that id, or it exited before answering. */
  NO_WORKER: 'SUP_ERR_PREFORK_NO_WORKER',
  /** A worker command failed in the worker (unknown op, bad argument, the op threw). */
  COMMAND_FAILED: 'SUP_ERR_PREFORK_COMMAND_FAILED',
  /** A hot upgrade could not start, or its new arbiter did not become ready and was rolled back. */
  UPGRADE_FAILED: 'SUP_ERR_PREFORK_UPGRADE_FAILED',
  /** A call that only makes sense in the arbiter (or only in a worker) was made in the other. */
  WRONG_PROCESS: 'SUP_ERR_PREFORK_WRONG_PROCESS',
  /** daemonize(): the pidfile names a process that is still running. */
  ALREADY_RUNNING: 'SUP_ERR_PREFORK_ALREADY_RUNNING',
  /** daemonize(): the detached process could not be started or exited before writing its pidfile. */
  DAEMONIZE_FAILED: 'SUP_ERR_PREFORK_DAEMONIZE_FAILED',
} as const;

export type PreforkErrorCode = (typeof codes)[keyof typeof codes];

/** Base class of every error of @support/prefork; match on `code`. */
export class PreforkError extends Error {
  readonly code: PreforkErrorCode;

  constructor(code: PreforkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PreforkError';
    this.code = code;
  }
}

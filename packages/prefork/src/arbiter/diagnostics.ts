import { channel } from 'node:diagnostics_channel';

// Arbiter events; payloads are built only when someone subscribes.

/** `{ id, pid, startMs }` when a worker reports ready. */
export const workerReadyChannel = channel('support:prefork:worker-ready');
/** `{ id, pid, cause }` (cause: the classified ExitCause) when a worker process ends. */
export const workerExitChannel = channel('support:prefork:worker-exit');
/** `{ id, pid, reason }` when the arbiter kills a worker (heartbeat, start-timeout, drain overrun). */
export const workerKillChannel = channel('support:prefork:worker-kill');

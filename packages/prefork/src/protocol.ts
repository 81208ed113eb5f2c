// Messages between the arbiter and its workers (child_process IPC, JSON
// serialization). Every message carries `sup: 'prefork'` so the user's own
// process.send() traffic is never mistaken for ours.

export const TAG = 'prefork';

/** Load a worker reports: open connections, http requests in flight, last hand-off seen. */
export interface Load {
  conns: number;
  reqs: number;
  /** Sequence number of the last connection received from the arbiter. */
  ack: number;
}

export type WorkerMessage =
  | { sup: typeof TAG; t: 'ready' }
  | { sup: typeof TAG; t: 'load'; load: Load }
  | ({ sup: typeof TAG; t: 'hb'; load: Load } & Health)
  | { sup: typeof TAG; t: 'retire'; reason: string }
  | { sup: typeof TAG; t: 'failed'; error: string }
  | { sup: typeof TAG; t: 'reply'; rid: number; ok: boolean; value?: unknown; error?: string };

export interface Health {
  rss: number;
  fds: number | null;
  served: number;
}

export type ArbiterMessage =
  | { sup: typeof TAG; t: 'conn'; i: number; seq: number }
  | { sup: typeof TAG; t: 'listen'; i: number }
  | { sup: typeof TAG; t: 'drain'; timeout: number }
  | { sup: typeof TAG; t: 'cmd'; rid: number; op: string; arg?: unknown };

/** Between a hot upgrade's new arbiter and its predecessor. */
export type UpgradeMessage = { sup: typeof TAG; t: 'upgrade-ready'; pid: number };

export function isOurs(msg: unknown): msg is { sup: typeof TAG; t: string } {
  return typeof msg === 'object' && msg !== null && (msg as { sup?: unknown }).sup === TAG;
}

/** Why a worker process ended, as status() and the action log report it. */
export interface ExitCause {
  /** 'exit': it exited by itself; 'signal': a signal ended it; 'oom': SIGKILL nobody here sent (the OOM killer's signature). */
  kind: 'exit' | 'signal' | 'oom';
  code: number | null;
  signal: string | null;
  /** Why the arbiter ended it, when it did ('heartbeat', 'start-timeout', 'drained', 'stop', …). */
  reason: string | null;
  /** Whether the worker had reported ready. */
  wasReady: boolean;
  uptimeMs: number;
  at: number;
}

/** Classifies an exit from its code, signal and whether the arbiter sent a kill. */
export function classifyExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  reason: string | null,
  killedByUs: boolean,
  wasReady: boolean,
  uptimeMs: number,
): ExitCause {
  let kind: ExitCause['kind'] = signal === null ? 'exit' : 'signal';
  if (signal === 'SIGKILL' && !killedByUs) kind = 'oom';
  return { kind, code, signal, reason, wasReady, uptimeMs, at: Date.now() };
}

/** One line for logs: "exit code 1", "signal SIGSEGV", "SIGKILL not sent by the arbiter (OOM killer?)". */
export function describeExit(cause: ExitCause): string {
  const why = cause.reason === null ? '' : ` (${cause.reason})`;
  if (cause.kind === 'oom') return `SIGKILL not sent by the arbiter, likely the OOM killer${why}`;
  if (cause.kind === 'signal') return `signal ${cause.signal}${why}`;
  return `exit code ${cause.code}${why}`;
}

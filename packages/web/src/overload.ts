/**
 * The "overloaded, try later" marker shared by the packages without a
 * dependency between them: an error with `overloaded: true` (threadpool's
 * QueueFullError, connmgr's OutOfSocketsError and MarkedDownError, or an
 * app's own) and an optional `retryAfter` in seconds. Web answers such an
 * error 503 with `Retry-After` instead of 500.
 */
export interface Overloaded {
  overloaded: true;
  /** Suggested wait before retrying, in seconds. */
  retryAfter?: number;
}

/** The whole seconds to send in `Retry-After` when `error` carries the marker, else undefined. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const marked = error as { overloaded?: unknown; retryAfter?: unknown };
  if (marked.overloaded !== true) return undefined;
  const wait = marked.retryAfter;
  return typeof wait === 'number' && Number.isFinite(wait) && wait > 0
    ? Math.min(Math.ceil(wait), 86_400)
    : 1;
}

import type { IncomingMessage } from 'node:http';
import type { RequestContext } from './context.js';
import { retryAfterOf } from './overload.js';

/** How long repeats of one failure are counted instead of logged. */
const WINDOW_MS = 10_000;
/** Most distinct failures remembered; the oldest is forgotten past this. */
const MAX_KEYS = 256;

interface Seen {
  since: number;
  repeats: number;
}

/** The request line as the client sent it, the mount prefix included (Express's `originalUrl`). */
export function requestLine(request: IncomingMessage): string {
  const original = (request as { originalUrl?: unknown }).originalUrl;
  return `${request.method} ${typeof original === 'string' ? original : request.url}`;
}

/**
 * The default `onError`: logs a failure once, with its stack (an overload
 * error, which is expected under load, in one line without one), then
 * counts identical failures for 10 s instead of logging each; the next one
 * after that says how many were left out. It starts no timer, so a count
 * still pending when the failures stop is not printed.
 */
export function createErrorLog(
  write: (line: string) => void = (line) => console.error(line),
  now: () => number = Date.now,
): (error: unknown, ctx: RequestContext | undefined) => void {
  const seen = new Map<string, Seen>();
  return (error, ctx) => {
    const overloaded = retryAfterOf(error) !== undefined;
    const e = error as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
    const head =
      error instanceof Error
        ? `${String(e.name)}${typeof e.code === 'string' ? ` ${e.code}` : ''}: ${error.message}`
        : String(error);
    const key = overloaded
      ? `${String(e.name)} ${String(e.code)}`
      : error instanceof Error
        ? String(error.stack ?? head)
        : head;
    const t = now();
    const entry = seen.get(key);
    if (entry !== undefined && t - entry.since < WINDOW_MS) {
      entry.repeats += 1;
      return;
    }
    const where = ctx ? requestLine(ctx.request) : 'request';
    const left =
      entry !== undefined && entry.repeats > 0
        ? ` (${entry.repeats} more like it in the ${Math.round((t - entry.since) / 1000)} s before)`
        : '';
    seen.delete(key);
    seen.set(key, { since: t, repeats: 0 });
    if (seen.size > MAX_KEYS) seen.delete(seen.keys().next().value as string);
    if (overloaded) {
      write(`@support/web: ${where} answered 503 (overloaded): ${head}${left}`);
    } else {
      const detail = error instanceof Error ? String(error.stack ?? head) : head;
      write(`@support/web: ${where} failed${left}: ${detail}`);
    }
  };
}

import { didYouMean } from './closest.js';
import type { RequestContext } from './context.js';
import { codes, WebError } from './errors.js';
import { createErrorLog } from './log.js';
import type { Middleware } from './middleware.js';

/** Options of {@link Application}. */
export interface ApplicationOptions {
  /**
   * Middleware applied to every route, outermost first.
   * @default []
   */
  middlewares?: readonly Middleware[];
  /**
   * Values every endpoint and middleware can ask for by name (a database
   * handle, a config object, …).
   * @default {}
   */
  resources?: Record<string, unknown>;
  /**
   * Largest request body in bytes; bigger bodies get 413 without being read.
   * @default 1048576 (1 MiB)
   */
  bodyLimit?: number;
  /**
   * Most bytes of a request body nobody reads (a 404, a 405, a GET route,
   * an endpoint that answered without reading) that are read and thrown
   * away to keep the connection alive. A bigger announced body gets
   * `Connection: close` in the answer; a body found bigger later ends the
   * connection once this much was drained. Either way it closes lingering.
   * @default 262144 (256 KiB)
   */
  drainLimit?: number;
  /**
   * After an answer that ends the connection while the client is still
   * sending (a 413, an unread body past `drainLimit`), at most this many
   * milliseconds of reading and discarding before the socket is closed, so
   * the client reads the answer instead of a reset (nginx's
   * `lingering_time`). 0 closes at once.
   * @default 30000
   */
  lingeringTime?: number;
  /**
   * During that lingering close, the longest wait for more data in
   * milliseconds before closing (nginx's `lingering_timeout`).
   * @default 5000
   */
  lingeringTimeout?: number;
  /**
   * Send error messages and stacks of unexpected errors to clients. Never in production.
   * @default false
   */
  debug?: boolean;
  /**
   * Called with every unexpected error (not HTTPError) and its request
   * context, overload errors (`overloaded: true`, answered 503) included.
   * @default logs with console.error: the stack once, then identical
   * failures counted for 10 s and reported as a count with the next one;
   * overload errors in one line without a stack
   */
  onError?: (error: unknown, ctx: RequestContext | undefined) => void;
  /**
   * What an unmatched request gets. `'respond'`: this application answers
   * 404 (405 with Allow when another method matches, 204 for OPTIONS).
   * `'next'`: when the handler was called with a third argument (Express's
   * `next`), it is called instead, so routes mounted after this application
   * are reached; without one, the application answers as with `'respond'`.
   * @default 'respond'
   */
  notFound?: 'respond' | 'next';
  /**
   * Match `/a/` like `/a`.
   * @default false
   */
  ignoreTrailingSlash?: boolean;
  /**
   * Match `//a` like `/a`.
   * @default false
   */
  ignoreDuplicateSlashes?: boolean;
  /**
   * Match paths case-sensitively.
   * @default true
   */
  caseSensitive?: boolean;
  /**
   * Longest value of one route parameter; longer ones do not match (404).
   * @default 100
   */
  maxParamLength?: number;
}

export interface ResolvedOptions {
  middlewares: readonly Middleware[];
  resources: Record<string, unknown>;
  bodyLimit: number;
  drainLimit: number;
  lingeringTime: number;
  lingeringTimeout: number;
  debug: boolean;
  onError: (error: unknown, ctx: RequestContext | undefined) => void;
  notFound: 'respond' | 'next';
  ignoreTrailingSlash: boolean;
  ignoreDuplicateSlashes: boolean;
  caseSensitive: boolean;
  maxParamLength: number;
}

// Stands for "no onError given": each Application then gets its own log,
// so one application's repeats never hide another's.
const logError = createErrorLog();

export const defaults: ResolvedOptions = {
  middlewares: [],
  resources: {},
  bodyLimit: 1024 * 1024,
  drainLimit: 256 * 1024,
  lingeringTime: 30_000,
  lingeringTimeout: 5_000,
  debug: false,
  onError: logError,
  notFound: 'respond',
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  caseSensitive: true,
  maxParamLength: 100,
};

function invalid(message: string): WebError {
  return new WebError(codes.INVALID_OPTION, message);
}

/** Merges options over the defaults and checks every one, naming the culprit. */
export function resolveOptions(options: ApplicationOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalid('Application options must be an object');
  }
  const resolved: ResolvedOptions = { ...defaults };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (!Object.hasOwn(defaults, key)) {
      throw invalid(`options.${key} is not an option${didYouMean(key, Object.keys(defaults))}`);
    }
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  if (!Array.isArray(resolved.middlewares)) throw invalid('options.middlewares must be an array');
  resolved.middlewares.forEach((mw, i) => {
    checkMiddleware(mw, `options.middlewares[${i}]`);
  });
  if (
    typeof resolved.resources !== 'object' ||
    resolved.resources === null ||
    Array.isArray(resolved.resources)
  ) {
    throw invalid('options.resources must be a plain object');
  }
  if (!Number.isInteger(resolved.bodyLimit) || resolved.bodyLimit < 0) {
    throw invalid('options.bodyLimit must be a non-negative integer');
  }
  for (const key of ['drainLimit', 'lingeringTime'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) {
      throw invalid(`options.${key} must be a non-negative integer`);
    }
  }
  if (!Number.isInteger(resolved.lingeringTimeout) || resolved.lingeringTimeout < 1) {
    throw invalid('options.lingeringTimeout must be a positive integer (milliseconds)');
  }
  if (!Number.isInteger(resolved.maxParamLength) || resolved.maxParamLength < 1) {
    throw invalid('options.maxParamLength must be a positive integer');
  }
  if (typeof resolved.onError !== 'function') throw invalid('options.onError must be a function');
  if (resolved.onError === logError) resolved.onError = createErrorLog();
  if (resolved.notFound !== 'respond' && resolved.notFound !== 'next') {
    throw invalid(`options.notFound must be 'respond' or 'next'`);
  }
  for (const key of [
    'debug',
    'ignoreTrailingSlash',
    'ignoreDuplicateSlashes',
    'caseSensitive',
  ] as const) {
    if (typeof resolved[key] !== 'boolean') throw invalid(`options.${key} must be a boolean`);
  }
  return resolved;
}

/** Checks one middleware object's shape. */
export function checkMiddleware(mw: Middleware, where: string): void {
  if (typeof mw !== 'object' || mw === null) throw invalid(`${where} must be a middleware object`);
  if (typeof mw.name !== 'string' || mw.name === '')
    throw invalid(`${where}.name must be a non-empty string`);
  for (const key of ['provides', 'needs'] as const) {
    const names = mw[key];
    if (
      names !== undefined &&
      (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    ) {
      throw invalid(`${where}.${key} (middleware "${mw.name}") must be an array of names`);
    }
  }
  for (const key of ['request', 'endpoint', 'render'] as const) {
    if (mw[key] !== undefined && typeof mw[key] !== 'function') {
      throw invalid(`${where}.${key} (middleware "${mw.name}") must be a function`);
    }
  }
}

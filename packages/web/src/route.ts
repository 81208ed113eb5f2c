import type { Application } from './application.js';
import type { RequestContext } from './context.js';
import { codes, WebError } from './errors.js';
import { inferNeeds } from './infer-needs.js';
import type { Middleware } from './middleware.js';
import type { Render } from './render.js';

/** An endpoint: takes the request context, returns a value for the render step or a Response. */
export type Endpoint = (ctx: RequestContext) => unknown;

/** Per-route options. */
export interface RouteOptions {
  /**
   * Names the endpoint reads from the context. When omitted they are read
   * from the destructuring pattern of the endpoint's parameter.
   * @default inferred
   */
  needs?: readonly string[];
  /**
   * Middleware for this route only, run inside the application's.
   * @default []
   */
  middlewares?: readonly Middleware[];
  /**
   * Largest request body in bytes; overrides the application's `bodyLimit`.
   * @default the application's bodyLimit
   */
  bodyLimit?: number;
  /**
   * Parse the request body before the endpoint runs. Set false to read
   * `request` yourself (uploads, proxies).
   * @default true
   */
  parseBody?: boolean;
  /** A name for introspection. @default undefined */
  name?: string;
}

/** A route: methods, a find-my-way pattern, an endpoint and its render step. */
export interface Route {
  readonly kind: 'route';
  readonly methods: readonly string[];
  readonly pattern: string;
  readonly endpoint: Endpoint;
  readonly render: Render | undefined;
  readonly needs: readonly string[] | undefined;
  readonly options: RouteOptions;
}

/** An application mounted under a prefix. */
export interface Mount {
  readonly kind: 'mount';
  readonly prefix: string;
  readonly app: Application;
}

const METHOD = /^[A-Z][A-Z-]*$/;

function checkPattern(pattern: string, what: string): void {
  if (typeof pattern !== 'string' || (!pattern.startsWith('/') && pattern !== '*')) {
    throw new WebError(
      codes.INVALID_ROUTE,
      `${what} must be a string starting with "/", got ${JSON.stringify(pattern)}`,
    );
  }
}

function toMethods(method: string | readonly string[]): string[] {
  const list = typeof method === 'string' ? [method] : [...method];
  if (list.length === 0) throw new WebError(codes.INVALID_ROUTE, 'route methods must not be empty');
  return list.map((m) => {
    if (typeof m !== 'string' || !METHOD.test(m.toUpperCase())) {
      throw new WebError(
        codes.INVALID_ROUTE,
        `route method must be an HTTP method name, got ${JSON.stringify(m)}`,
      );
    }
    return m.toUpperCase();
  });
}

function isApplication(value: unknown): value is Application {
  return typeof value === 'object' && value !== null && (value as { [APP]?: true })[APP] === true;
}

/** Marks Application instances without importing the class (no import cycle). */
export const APP: unique symbol = Symbol.for('support.web.Application');

/**
 * Declares a route.
 *
 * - `route(pattern, endpoint, render?, options?)`: GET (HEAD answered too).
 * - `route(method | methods, pattern, endpoint, render?, options?)`.
 * - `route(prefix, application)`: mounts a sub-application under `prefix`.
 *
 * Patterns are find-my-way's: `/users/:id`, `/files/*`, `/:a-:b`. Without a
 * render function the endpoint must return a Response. The render function
 * receives the endpoint's (awaited) return type, so
 * `renderHTML((user) => html\`…${user.name}\`)` type-checks under `strict`.
 */
export function route(prefix: string, app: Application): Mount;
export function route<T, C extends RequestContext = RequestContext>(
  pattern: string,
  endpoint: (ctx: C) => T,
  render?: Render<Awaited<T>>,
  options?: RouteOptions,
): Route;
export function route<T, C extends RequestContext = RequestContext>(
  method: string | readonly string[],
  pattern: string,
  endpoint: (ctx: C) => T,
  render?: Render<Awaited<T>>,
  options?: RouteOptions,
): Route;
export function route(...args: unknown[]): Route | Mount {
  if (typeof args[0] === 'string' && isApplication(args[1])) {
    const prefix = args[0] === '/' ? '' : args[0].replace(/\/+$/, '');
    if (prefix !== '') checkPattern(prefix, 'mount prefix');
    if (/[:*]/.test(prefix)) {
      throw new WebError(
        codes.INVALID_ROUTE,
        `mount prefix must be static, got ${JSON.stringify(args[0])}`,
      );
    }
    return { kind: 'mount', prefix, app: args[1] };
  }
  // A pattern starts with "/" (or is "*"); a method never does. Telling them
  // apart by the first argument blames the right one in route('/', 'hello').
  const first = args[0];
  const explicitMethod =
    Array.isArray(first) || (typeof first === 'string' && !first.startsWith('/') && first !== '*');
  if (explicitMethod && typeof args[1] !== 'string') {
    throw new WebError(
      codes.INVALID_ROUTE,
      `route(${JSON.stringify(first)}, …): the first argument is neither a pattern (starting with "/") nor followed by one, as a method must be`,
    );
  }
  const [method, pattern, endpoint, render, options] = explicitMethod
    ? (args as [string | string[], string, Endpoint, Render?, RouteOptions?])
    : (['GET', ...args] as [string, string, Endpoint, Render?, RouteOptions?]);
  checkPattern(pattern, 'route pattern');
  if (typeof endpoint !== 'function') {
    const got =
      typeof endpoint === 'string' ? `the string ${JSON.stringify(endpoint)}` : typeof endpoint;
    throw new WebError(
      codes.INVALID_ROUTE,
      `route ${pattern}: endpoint must be a function, got ${got}`,
    );
  }
  if (render !== undefined && typeof render !== 'function') {
    throw new WebError(codes.INVALID_ROUTE, `route ${pattern}: render must be a function`);
  }
  const opts = options ?? {};
  if (
    opts.needs !== undefined &&
    (!Array.isArray(opts.needs) || opts.needs.some((n) => typeof n !== 'string'))
  ) {
    throw new WebError(
      codes.INVALID_OPTION,
      `route ${pattern}: options.needs must be an array of names`,
    );
  }
  if (opts.bodyLimit !== undefined && !(Number.isInteger(opts.bodyLimit) && opts.bodyLimit >= 0)) {
    throw new WebError(
      codes.INVALID_OPTION,
      `route ${pattern}: options.bodyLimit must be a non-negative integer`,
    );
  }
  return {
    kind: 'route',
    methods: toMethods(method),
    pattern,
    endpoint,
    render,
    needs: opts.needs ?? inferNeeds(endpoint),
    options: opts,
  };
}

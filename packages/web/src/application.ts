import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import { BUILTIN_NAMES, type ContextClass, contextClass, type RequestContext } from './context.js';
import { responseChannel } from './diagnostics.js';
import { codes, WebError } from './errors.js';
import { hasBodyHeaders, isLingering, unreadPastLimit, watchUnread } from './linger.js';
import type { Middleware } from './middleware.js';
import {
  type ApplicationOptions,
  checkMiddleware,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { type BoundRoute, buildPipeline, errorResponse } from './pipeline.js';
import type { Render } from './render.js';
import { APP, type Mount, type Route } from './route.js';
import { type SendOptions, send } from './send.js';

/** One row of `app.routes`: what meta shows about a route. */
export interface RouteInfo {
  /** Methods answered, HEAD included where it follows GET. */
  readonly methods: readonly string[];
  /** The full find-my-way pattern, mount prefixes included. */
  readonly pattern: string;
  /** The route's name option, or the endpoint function's name. */
  readonly name: string | undefined;
  /** The render function's name, or undefined for routes returning Responses. */
  readonly render: string | undefined;
  /** Names of the middleware the route runs through, outermost first. */
  readonly middlewares: readonly string[];
  /** Names the endpoint needs (undefined when they could not be inferred). */
  readonly needs: readonly string[] | undefined;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string | undefined>,
  store: unknown,
  query: Record<string, string | string[]>,
) => void;

const BODILESS_404 = 'Not Found';

/** The lookup context when unmatched requests are passed on. */
class PassOn {
  constructor(readonly next: () => void) {}
}

/**
 * A web application: a list of routes (pattern + endpoint + render) and
 * middleware, checked when constructed, served by `app.handler`, a plain
 * `(req, res)` request listener. Two applications share nothing.
 */
export class Application {
  /** Marks instances for route() without an import cycle. */
  readonly [APP] = true as const;
  /** The route table, for introspection. */
  readonly routes: readonly RouteInfo[];
  /**
   * The request listener: `http.createServer(app.handler)`, or Express's
   * `app.use('/api', web.handler)`; with `notFound: 'next'` the third
   * argument (`next`) gets the requests no route matches.
   */
  readonly handler: (
    req: IncomingMessage,
    res: ServerResponse,
    next?: (error?: unknown) => void,
  ) => void;

  readonly #bound: BoundRoute[];
  readonly #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  readonly #methods: string[];
  readonly #sendOptions: SendOptions;

  constructor(routes: ReadonlyArray<Route | Mount>, options?: ApplicationOptions) {
    if (!Array.isArray(routes)) {
      throw new WebError(
        codes.INVALID_OPTION,
        'Application routes must be an array of route() results',
      );
    }
    const opts = resolveOptions(options);
    const app = this;
    for (const name of Object.keys(opts.resources)) {
      if (BUILTIN_NAMES.includes(name)) {
        throw new WebError(
          codes.CONFLICT,
          `resource "${name}" clashes with the built-in context value of that name`,
        );
      }
    }
    this.#bound = bindRoutes(routes, opts);
    for (const bound of this.#bound) checkResolution(bound);

    const router = FindMyWay({
      ignoreTrailingSlash: opts.ignoreTrailingSlash,
      ignoreDuplicateSlashes: opts.ignoreDuplicateSlashes,
      caseSensitive: opts.caseSensitive,
      maxParamLength: opts.maxParamLength,
      // `this` is the lookup context (a PassOn when unmatched requests go to
      // next()), else the router.
      defaultRoute: function (this: unknown, req, res) {
        if (this instanceof PassOn) this.next();
        else app.#noRoute(req, res);
      },
      onBadUrl: (_path, req, res) => this.#plainError(req, res, 400, 'Bad Request'),
    });
    const taken = new Set<string>();
    const methodsInUse = new Set<string>();
    const info: RouteInfo[] = [];
    const register = (method: string, pattern: string, handler: Handler, store: BoundRoute) => {
      try {
        router.on(
          method as FindMyWay.HTTPMethod,
          pattern,
          handler as FindMyWay.Handler<FindMyWay.HTTPVersion.V1>,
          store,
        );
      } catch (error) {
        throw new WebError(
          codes.INVALID_ROUTE,
          `cannot register ${method} ${pattern}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      taken.add(`${method} ${pattern}`);
      methodsInUse.add(method);
    };
    for (const bound of this.#bound) {
      const handler = buildPipeline(bound, opts);
      for (const method of bound.methods) {
        if (taken.has(`${method} ${bound.pattern}`)) {
          throw new WebError(
            codes.INVALID_ROUTE,
            `route ${method} ${bound.pattern} is declared twice`,
          );
        }
        register(method, bound.pattern, handler, bound);
      }
      bound.handler = handler;
    }
    // HEAD follows GET wherever no route claims HEAD itself.
    for (const bound of this.#bound) {
      const methods = [...bound.methods];
      if (bound.methods.includes('GET') && !taken.has(`HEAD ${bound.pattern}`)) {
        register('HEAD', bound.pattern, bound.handler as Handler, bound);
        methods.push('HEAD');
      }
      info.push({
        methods,
        pattern: bound.pattern,
        name: bound.name,
        render: bound.render?.name || (bound.render ? 'anonymous' : undefined),
        middlewares: bound.middlewares.map((mw) => mw.name),
        needs: bound.needs,
      });
    }
    router.compile();
    this.routes = Object.freeze(info);
    this.#router = router;
    this.#methods = [...methodsInUse];
    const limits = {
      drainLimit: opts.drainLimit,
      lingeringTime: opts.lingeringTime,
      lingeringTimeout: opts.lingeringTimeout,
    };
    this.#sendOptions = { drainLimit: opts.drainLimit };
    const passOn = opts.notFound === 'next';
    this.handler = (req, res, next) => {
      // A request parsed from a connection in its lingering close gets no answer.
      if (isLingering(req.socket)) return;
      if (hasBodyHeaders(req)) watchUnread(req, res, limits);
      if (passOn && typeof next === 'function') router.lookup(req, res, new PassOn(next));
      else router.lookup(req, res);
    };
  }

  /** Routes as bound in this application, for mounting into a parent. */
  static boundRoutesOf(app: Application): readonly BoundRoute[] {
    return app.#bound;
  }

  /** 405 with Allow when another method matches the path, 204 for OPTIONS, else 404. */
  #noRoute(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const allowed: string[] = [];
    for (const method of this.#methods) {
      if (
        method !== req.method &&
        this.#router.find(method as FindMyWay.HTTPMethod, url) !== null
      ) {
        allowed.push(method);
      }
    }
    if (allowed.length === 0) {
      this.#plainError(req, res, 404, BODILESS_404);
      return;
    }
    const allow = [...allowed, 'OPTIONS'].sort().join(', ');
    if (req.method === 'OPTIONS') {
      if (unreadPastLimit(req, this.#sendOptions.drainLimit)) res.setHeader('connection', 'close');
      res.writeHead(204, { allow });
      res.end();
      return;
    }
    this.#plainError(req, res, 405, 'Method Not Allowed', { allow });
  }

  #plainError(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): void {
    const response = errorResponse(req, status, message, headers);
    try {
      send(req, res, response, this.#sendOptions);
    } catch {
      res.destroy();
      return;
    }
    if (responseChannel.hasSubscribers) {
      responseChannel.publish({
        method: req.method,
        url: req.url,
        route: undefined,
        status,
      });
    }
  }
}

function joinPattern(prefix: string, pattern: string): string[] {
  if (prefix === '') return [pattern];
  if (pattern === '*') return [`${prefix}/*`];
  // A mounted root answers both /prefix and /prefix/.
  if (pattern === '/') return [prefix, `${prefix}/`];
  return [prefix + pattern];
}

function bindRoutes(entries: ReadonlyArray<Route | Mount>, opts: ResolvedOptions): BoundRoute[] {
  const bound: BoundRoute[] = [];
  const contexts = new Map<Record<string, unknown>, ContextClass>();
  const contextFor = (resources: Record<string, unknown>) => {
    let Context = contexts.get(resources);
    if (Context === undefined) contexts.set(resources, (Context = contextClass(resources)));
    return Context;
  };
  entries.forEach((entry, index) => {
    if (entry?.kind === 'route') {
      const routeMiddlewares = entry.options.middlewares ?? [];
      for (const [i, mw] of routeMiddlewares.entries()) {
        checkMiddleware(mw, `route ${entry.pattern} middlewares[${i}]`);
      }
      bound.push({
        methods: entry.methods,
        pattern: entry.pattern,
        endpoint: entry.endpoint,
        render: entry.render,
        needs: entry.needs,
        name: entry.options.name ?? (entry.endpoint.name || undefined),
        middlewares: [...opts.middlewares, ...routeMiddlewares],
        resources: opts.resources,
        Context: contextFor(opts.resources),
        bodyLimit: entry.options.bodyLimit ?? opts.bodyLimit,
        parseBody: entry.options.parseBody ?? true,
        handler: undefined,
      });
    } else if (entry?.kind === 'mount') {
      const merged = new Map<Record<string, unknown>, Record<string, unknown>>();
      for (const child of Application.boundRoutesOf(entry.app)) {
        let resources = merged.get(child.resources);
        if (resources === undefined) {
          resources = { ...opts.resources, ...child.resources };
          merged.set(child.resources, resources);
        }
        for (const pattern of joinPattern(entry.prefix, child.pattern)) {
          bound.push({
            ...child,
            pattern,
            middlewares: [...opts.middlewares, ...child.middlewares],
            resources,
            Context: contextFor(resources),
            handler: undefined,
          });
        }
      }
    } else {
      throw new WebError(codes.INVALID_ROUTE, `routes[${index}] is not a route() result`);
    }
  });
  return bound;
}

/**
 * Checks, before any request, that every name a middleware or endpoint
 * needs is a built-in, a resource or provided by an earlier middleware, and
 * that no name is provided twice.
 */
function checkResolution(bound: BoundRoute): void {
  const where = `route ${bound.methods.join(',')} ${bound.pattern}`;
  const available = new Map<string, string>();
  for (const name of BUILTIN_NAMES) available.set(name, 'built-in');
  for (const name of Object.keys(bound.resources)) available.set(name, 'resources');
  const describe = () => [...available.keys()].sort().join(', ');
  for (const mw of bound.middlewares) {
    for (const name of mw.needs ?? []) {
      if (!available.has(name)) {
        throw new WebError(
          codes.UNRESOLVED,
          `${where}: middleware "${mw.name}" needs "${name}", which nothing before it provides (available: ${describe()})`,
        );
      }
    }
    for (const name of mw.provides ?? []) {
      const source = available.get(name);
      if (source !== undefined) {
        throw new WebError(
          codes.CONFLICT,
          `${where}: middleware "${mw.name}" provides "${name}", already provided by ${source}`,
        );
      }
      available.set(name, `middleware "${mw.name}"`);
    }
  }
  for (const name of bound.needs ?? []) {
    if (!available.has(name)) {
      throw new WebError(
        codes.UNRESOLVED,
        `${where}: endpoint${bound.name ? ` "${bound.name}"` : ''} needs "${name}", which nothing provides (available: ${describe()})`,
      );
    }
  }
}

export type { Middleware, Render, RequestContext };

import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasBody, readBody } from './body.js';
import type { ContextClass, RequestContext } from './context.js';
import { errorChannel, responseChannel } from './diagnostics.js';
import { codes, HTTPError, WebError } from './errors.js';
import type { Middleware } from './middleware.js';
import { quality } from './negotiate.js';
import type { ResolvedOptions } from './options.js';
import { retryAfterOf } from './overload.js';
import type { Render } from './render.js';
import { toJSON } from './render.js';
import { Response } from './response.js';
import type { Endpoint } from './route.js';
import { send } from './send.js';

/** A route with everything resolved: its full middleware list, resources and context class. */
export interface BoundRoute {
  methods: readonly string[];
  pattern: string;
  endpoint: Endpoint;
  render: Render | undefined;
  needs: readonly string[] | undefined;
  name: string | undefined;
  middlewares: readonly Middleware[];
  resources: Record<string, unknown>;
  Context: ContextClass;
  bodyLimit: number;
  parseBody: boolean;
  handler: RouteHandler | undefined;
}

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string | undefined>,
  store: unknown,
  query: Record<string, string | string[]>,
) => void;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The response for an error status: JSON when the client asks for it
 * (`?format=json`, or Accept ranks JSON above text/plain), text otherwise.
 */
export function errorResponse(
  req: IncomingMessage,
  status: number,
  message: string,
  headers?: Record<string, string>,
  query?: Record<string, string | string[]>,
): Response {
  const format = query?.format;
  const accept = req.headers.accept;
  const asJSON =
    format === 'json' ||
    (format === undefined &&
      accept !== undefined &&
      quality(accept, 'application', 'json') > quality(accept, 'text', 'plain'));
  const body = asJSON ? toJSON({ error: { status, message } }) : `${message}\n`;
  return new Response(body, {
    status,
    headers: {
      ...headers,
      'content-type': asJSON ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
    },
  });
}

/**
 * Builds the find-my-way handler of one route. Routes without middleware
 * whose request has no body to read take a synchronous path that allocates
 * one context and one Response; everything else runs through the layered
 * middleware chain.
 */
export function buildPipeline(bound: BoundRoute, options: ResolvedOptions): RouteHandler {
  const { Context, endpoint, render } = bound;
  const routeLabel = `${bound.methods.join(',')} ${bound.pattern}`;

  const report = (ctx: RequestContext, error: unknown): void => {
    const req = ctx.request;
    try {
      options.onError(error, ctx);
    } catch {
      // A broken logger must not take the request or the process down.
    }
    if (errorChannel.hasSubscribers) {
      errorChannel.publish({ error, method: req.method, url: req.url, route: routeLabel });
    }
  };

  const publishResponse = (ctx: RequestContext, status: number) => {
    responseChannel.publish({
      method: ctx.request.method,
      url: ctx.request.url,
      route: routeLabel,
      status,
    });
  };

  // Error answers are strings: they need no stream error handler.
  const plain = { drainLimit: options.drainLimit };

  /**
   * Answers an error: its HTTPError status, 503 with Retry-After for an
   * overload error, else 500 (both reported). When the
   * answer cannot be sent (an HTTPError with headers Node refuses), that is
   * reported and a plain 500 goes out instead. Once headers are out, the
   * connection is cut: nothing else can tell the client.
   */
  const fail = (ctx: RequestContext, error: unknown): void => {
    const { request: req, response: res } = ctx;
    if (!(error instanceof HTTPError)) report(ctx, error);
    // Already answered in full (an endpoint wrote it itself): keep it.
    if (res.writableEnded) return;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    try {
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      let response: Response;
      if (error instanceof HTTPError) {
        response = errorResponse(req, error.status, error.message, error.headers, ctx.query);
        try {
          send(req, res, response, plain);
        } catch (sendError) {
          report(ctx, sendError);
          response = internalError(ctx, sendError);
          send(req, res, response, plain);
        }
      } else {
        // "Overloaded, try later" (the duck-typed marker of overload.ts): 503.
        const wait = retryAfterOf(error);
        response =
          wait === undefined
            ? internalError(ctx, error)
            : errorResponse(
                req,
                503,
                'Service Unavailable',
                { 'retry-after': String(wait) },
                ctx.query,
              );
        send(req, res, response, plain);
      }
      if (responseChannel.hasSubscribers) publishResponse(ctx, response.status);
    } catch {
      res.destroy();
    }
  };

  const internalError = (ctx: RequestContext, error: unknown): Response => {
    const detail =
      options.debug && error instanceof Error
        ? `Internal Server Error: ${error.stack ?? error.message}`
        : 'Internal Server Error';
    return errorResponse(ctx.request, 500, detail, undefined, ctx.query);
  };

  const deliver = (ctx: RequestContext, response: unknown): void => {
    const res = ctx.response;
    if (res.headersSent || res.writableEnded) return; // the endpoint answered itself
    if (!(response instanceof Response)) {
      fail(ctx, noRender(routeLabel, response));
      return;
    }
    const body = response.body;
    const streamed = typeof body === 'object' && body !== null && !(body instanceof Uint8Array);
    try {
      send(
        ctx.request,
        res,
        response,
        streamed
          ? { drainLimit: options.drainLimit, onStreamError: (error) => fail(ctx, error) }
          : plain,
      );
    } catch (error) {
      fail(ctx, error);
      return;
    }
    if (responseChannel.hasSubscribers) publishResponse(ctx, response.status);
  };

  const renderValue = (value: unknown, ctx: RequestContext): Response | Promise<Response> => {
    if (render !== undefined) return render(value, ctx);
    if (value instanceof Response) return value;
    throw noRender(routeLabel, value);
  };

  const middlewares = bound.middlewares;
  if (middlewares.length === 0) {
    const renderAndDeliver = (ctx: RequestContext, value: unknown): void => {
      const res = ctx.response;
      if (res.headersSent || res.writableEnded) return;
      let response: Response | Promise<Response>;
      try {
        response = renderValue(value, ctx);
      } catch (error) {
        fail(ctx, error);
        return;
      }
      if (isThenable(response)) {
        response.then(
          (r) => deliver(ctx, r),
          (error: unknown) => fail(ctx, error),
        );
      } else {
        deliver(ctx, response);
      }
    };
    const runEndpoint = (ctx: RequestContext): void => {
      let value: unknown;
      try {
        value = endpoint(ctx);
      } catch (error) {
        fail(ctx, error);
        return;
      }
      if (isThenable(value)) {
        value.then(
          (v) => renderAndDeliver(ctx, v),
          (error: unknown) => fail(ctx, error),
        );
      } else {
        renderAndDeliver(ctx, value);
      }
    };
    const { parseBody, bodyLimit } = bound;
    return (req, res, params, _store, query) => {
      const ctx = new Context(req, res, params as Record<string, string>, query);
      if (parseBody && hasBody(req)) {
        readBody(req, bodyLimit).then(
          (body) => {
            ctx.body = body;
            runEndpoint(ctx);
          },
          (error: unknown) => fail(ctx, error),
        );
        return;
      }
      runEndpoint(ctx);
    };
  }

  const run = layered(bound, renderValue, routeLabel);
  return (req, res, params, _store, query) => {
    const ctx = new Context(req, res, params as Record<string, string>, query);
    run(ctx).then(
      (response) => deliver(ctx, response),
      (error: unknown) => fail(ctx, error),
    );
  };
}

function noRender(routeLabel: string, value: unknown): WebError {
  const what = value === null ? 'null' : typeof value;
  return new WebError(
    codes.NO_RENDER,
    `route ${routeLabel} has no render function, so its endpoint must return a Response (got ${what})`,
  );
}

/**
 * Composes clastic's three layers: request hooks around (body, endpoint
 * hooks around the endpoint, render hooks around the render step).
 */
function layered(
  bound: BoundRoute,
  renderValue: (value: unknown, ctx: RequestContext) => Response | Promise<Response>,
  routeLabel: string,
): (ctx: RequestContext) => Promise<unknown> {
  const middlewares = bound.middlewares;
  const declared = middlewares.flatMap((mw) => mw.provides ?? []);

  const provide = (
    ctx: RequestContext,
    mw: Middleware,
    values: Record<string, unknown> | undefined,
  ) => {
    if (values === undefined || values === null) return;
    for (const name of Object.keys(values)) {
      if (!mw.provides?.includes(name)) {
        throw new WebError(
          codes.PROVIDES_MISMATCH,
          `route ${routeLabel}: middleware "${mw.name}" passed "${name}" to next() without declaring it in provides`,
        );
      }
      ctx[name] = values[name];
    }
  };

  let callEndpoint = async (ctx: RequestContext): Promise<unknown> => {
    for (const name of declared) {
      if (!Object.hasOwn(ctx, name)) {
        const owner = middlewares.find((mw) => mw.provides?.includes(name));
        throw new WebError(
          codes.PROVIDES_MISMATCH,
          `route ${routeLabel}: middleware "${owner?.name}" declares "${name}" in provides but did not pass it to next()`,
        );
      }
    }
    return bound.endpoint(ctx);
  };
  for (const mw of [...middlewares].reverse()) {
    const hook = mw.endpoint;
    if (hook === undefined) continue;
    const inner = callEndpoint;
    callEndpoint = async (ctx) =>
      hook.call(
        mw,
        (values) => {
          provide(ctx, mw, values);
          return inner(ctx);
        },
        ctx,
      );
  }

  let callRender = async (ctx: RequestContext, value: unknown): Promise<Response> =>
    renderValue(value, ctx);
  for (const mw of [...middlewares].reverse()) {
    const hook = mw.render;
    if (hook === undefined) continue;
    const inner = callRender;
    callRender = async (ctx, value) =>
      hook.call(
        mw,
        (...replacement: unknown[]) => inner(ctx, replacement.length > 0 ? replacement[0] : value),
        ctx,
        value,
      );
  }

  let callRequest = async (ctx: RequestContext): Promise<unknown> => {
    if (bound.parseBody && hasBody(ctx.request))
      ctx.body = await readBody(ctx.request, bound.bodyLimit);
    const value = await callEndpoint(ctx);
    const res = ctx.response;
    if (res.headersSent || res.writableEnded) return undefined;
    return callRender(ctx, value);
  };
  for (const mw of [...middlewares].reverse()) {
    const hook = mw.request;
    if (hook === undefined) continue;
    const inner = callRequest;
    callRequest = async (ctx) =>
      hook.call(
        mw,
        (values) => {
          provide(ctx, mw, values);
          return inner(ctx) as Promise<Response>;
        },
        ctx,
      );
  }
  return callRequest;
}

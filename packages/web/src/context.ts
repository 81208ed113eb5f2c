import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPError } from './errors.js';

/** Names every endpoint and middleware can ask for without anyone providing them. */
export const BUILTIN_NAMES: readonly string[] = [
  'request',
  'response',
  'params',
  'query',
  'url',
  'body',
  'signal',
];

/**
 * The one object an endpoint receives. Besides these fields it carries every
 * `resources` entry of the application and every value middleware provided.
 */
export interface RequestContext {
  /** The Node request. */
  readonly request: IncomingMessage;
  /** The Node response; write to it directly and the render step is skipped. */
  readonly response: ServerResponse;
  /** Route parameters, decoded (`/users/:id` → `{ id }`, a wildcard → `{ '*': … }`). */
  readonly params: Record<string, string>;
  /** Query string parameters; repeated names give arrays. */
  readonly query: Record<string, string | string[]>;
  /** The full request URL, built on first use. */
  readonly url: URL;
  /** The parsed body: object for JSON, record for forms, string for text, Buffer otherwise; undefined without a body. */
  body: unknown;
  /** Aborts when the client goes away before the response is finished; built on first use. */
  readonly signal: AbortSignal;
  // biome-ignore lint/suspicious/noExplicitAny: resources and provided values are user-typed
  [name: string]: any;
}

/**
 * The context with the types of the resources and provided values an
 * endpoint uses (instead of `any`):
 * `route('/n', ({ db }: ContextWith<{ db: Db }>) => db.count(), renderJSON)`.
 * The names are still checked against what the application provides when
 * it is constructed.
 */
export type ContextWith<R extends object> = RequestContext & R;

// RFC 3986 host: an IP literal in brackets or a reg-name (unreserved,
// percent-encoded, sub-delims), then an optional port.
const HOST = /^(?:\[[0-9A-Za-z:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;

/**
 * The request's URL from its Host header and target. A Host that is not a
 * host (`[::1`, `a/b`, `a@b`) would make another URL, or none: 400. The
 * target is appended, not resolved, so `//other.host/x` stays a path.
 */
function requestURL(request: IncomingMessage): URL {
  const host = request.headers.host ?? 'localhost';
  const secure = (request.socket as { encrypted?: boolean } | null)?.encrypted === true;
  const target = request.url ?? '/';
  const origin = `${secure ? 'https' : 'http'}://${host}`;
  if (HOST.test(host)) {
    try {
      return target.startsWith('/') ? new URL(origin + target) : new URL(target, origin);
    } catch {
      // fall through: the port is out of range, or the literal is no IP
    }
  }
  throw new HTTPError(400, 'malformed Host header');
}

/** The base every per-application context class extends. */
export class BaseContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly params: Record<string, string>;
  readonly query: Record<string, string | string[]>;
  body: unknown = undefined;
  #url: URL | undefined = undefined;
  #controller: AbortController | undefined = undefined;

  constructor(
    request: IncomingMessage,
    response: ServerResponse,
    params: Record<string, string>,
    query: Record<string, string | string[]>,
  ) {
    this.request = request;
    this.response = response;
    this.params = params;
    this.query = query;
  }

  /** Throws HTTPError 400 when the Host header is not a host (the client's fault, not a 500). */
  get url(): URL {
    if (this.#url === undefined) this.#url = requestURL(this.request);
    return this.#url;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const response = this.response;
      if (response.writableFinished) {
        // Already answered: nothing left to cancel.
      } else if (response.destroyed) {
        controller.abort(new Error('client disconnected'));
      } else {
        const onClose = () => {
          if (!response.writableFinished) controller.abort(new Error('client disconnected'));
        };
        response.once('close', onClose);
      }
    }
    return this.#controller.signal;
  }
}

export type ContextClass = new (
  request: IncomingMessage,
  response: ServerResponse,
  params: Record<string, string>,
  query: Record<string, string | string[]>,
) => RequestContext;

/**
 * A context class whose prototype carries the resources, so a request pays
 * for one small fixed-shape object however many resources the app has.
 */
export function contextClass(resources: Record<string, unknown>): ContextClass {
  const Context = class extends BaseContext {};
  for (const [name, value] of Object.entries(resources)) {
    Object.defineProperty(Context.prototype, name, {
      value,
      enumerable: true,
      writable: false,
      configurable: false,
    });
  }
  return Context as unknown as ContextClass;
}

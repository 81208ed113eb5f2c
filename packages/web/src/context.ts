import type { IncomingMessage, ServerResponse } from 'node:http';

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

  get url(): URL {
    if (this.#url === undefined) {
      const host = this.request.headers.host ?? 'localhost';
      const secure = (this.request.socket as { encrypted?: boolean } | null)?.encrypted === true;
      this.#url = new URL(this.request.url ?? '/', `${secure ? 'https' : 'http'}://${host}`);
    }
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

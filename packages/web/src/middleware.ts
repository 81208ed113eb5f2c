import type { RequestContext } from './context.js';
import type { Response } from './response.js';

/** Continues with the next layer; the values given are added to the context first. */
export type Next<T> = (provide?: Record<string, unknown>) => Promise<T>;

/**
 * Middleware in clastic's three layers. `request` wraps everything from body
 * parsing to the sent response and may answer early by returning a Response;
 * `endpoint` wraps the endpoint call and sees its return value; `render`
 * wraps the render step (its third argument is the value being rendered and
 * `next(value)` renders a replacement).
 *
 * Values listed in `provides` must be passed to `next` by the `request` or
 * `endpoint` hook; names listed in `needs` must be built-ins, resources or
 * provided by a middleware earlier in the list. The application checks both
 * when it is constructed.
 *
 * When an endpoint writes the response itself, `next()` of a request hook
 * resolves to `undefined` (there is no Response to change).
 */
export interface Middleware {
  /** Shown in errors and in `app.routes`. */
  name: string;
  /** Names this middleware adds to the context through `next({ … })`. */
  provides?: readonly string[];
  /** Names this middleware reads from the context. */
  needs?: readonly string[];
  request?(next: Next<Response>, ctx: RequestContext): Promise<Response> | Response;
  endpoint?(next: Next<unknown>, ctx: RequestContext): unknown;
  render?(
    next: (value?: unknown) => Promise<Response>,
    ctx: RequestContext,
    value: unknown,
  ): Promise<Response> | Response;
}

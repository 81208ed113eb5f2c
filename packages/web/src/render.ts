import { Readable } from 'node:stream';
import type { RequestContext } from './context.js';
import { SafeHTML } from './escape.js';
import { htmlPage } from './html-page.js';
import { prefersJSON } from './negotiate.js';
import { Response } from './response.js';

/** Turns what an endpoint returned into a Response (or a promise of one). */
export type Render<T = unknown> = (value: T, ctx: RequestContext) => Response | Promise<Response>;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const BINARY = 'application/octet-stream';

// Escaping <, >, & and the two JS line separators keeps JSON safe to embed
// in a page and stops browsers sniffing it as markup.
const JSON_UNSAFE = /[<>&\u2028\u2029]/g;
const JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** JSON text of a value; BigInts become strings instead of throwing. */
export function toJSON(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError && /BigInt/i.test(error.message))) throw error;
    text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  }
  return (text ?? 'null').replace(JSON_UNSAFE, (char) => JSON_ESCAPES[char] ?? char);
}

function isStreamLike(value: unknown): value is Readable | AsyncIterable<Uint8Array> {
  return (
    value instanceof Readable ||
    (typeof value === 'object' && value !== null && Symbol.asyncIterator in value)
  );
}

/**
 * Picks what fits the value: strings as text/plain; Buffers and streams as
 * bytes; other values as JSON for programs (Accept JSON, `*∕*` or
 * `?format=json`) and as an escaped HTML page of nested tables for browsers;
 * `undefined` as 204 No Content.
 */
export const renderBasic: Render = (value, ctx) => {
  if (typeof value === 'string') return new Response(value, { headers: { 'content-type': TEXT } });
  if (value instanceof Response) return value;
  if (value === undefined) return new Response(null, { status: 204 });
  if (value instanceof Uint8Array || isStreamLike(value)) {
    return new Response(value, { headers: { 'content-type': BINARY } });
  }
  if (value instanceof SafeHTML)
    return new Response(value.value, { headers: { 'content-type': HTML } });
  if (prefersJSON(ctx)) {
    return new Response(toJSON(value), { headers: { 'content-type': JSON_TYPE, vary: 'Accept' } });
  }
  return new Response(htmlPage(value, ctx.request.url ?? '/'), {
    headers: { 'content-type': HTML, vary: 'Accept' },
  });
};

/** Always JSON (`undefined` gives 204). */
export const renderJSON: Render = (value) => {
  if (value instanceof Response) return value;
  if (value === undefined) return new Response(null, { status: 204 });
  return new Response(toJSON(value), { headers: { 'content-type': JSON_TYPE } });
};

/** Always text/plain: strings as they are, anything else through String(). */
export const renderText: Render = (value) => {
  if (value instanceof Response) return value;
  if (value === undefined) return new Response(null, { status: 204 });
  return new Response(typeof value === 'string' ? value : String(value), {
    headers: { 'content-type': TEXT },
  });
};

/** A template for {@link renderHTML}; build its markup with the `html` tag so values are escaped. */
export type HTMLTemplate<T = unknown> = (
  value: T,
  ctx: RequestContext,
) => SafeHTML | Promise<SafeHTML>;

/**
 * Always HTML. Without a template the value is shown as a page of nested
 * tables; with one, the template's `html`-tagged output is sent. A template
 * must return SafeHTML (from the `html` tag), so nothing reaches the page
 * unescaped by accident.
 */
export function renderHTML<T = unknown>(template?: HTMLTemplate<T>): Render<T> {
  if (template === undefined) {
    return (value, ctx) => {
      if (value instanceof Response) return value;
      return new Response(htmlPage(value, ctx.request.url ?? '/'), {
        headers: { 'content-type': HTML },
      });
    };
  }
  const toResponse = (markup: SafeHTML): Response => {
    if (!(markup instanceof SafeHTML)) {
      throw new TypeError('renderHTML template must return the result of an html`…` template');
    }
    return new Response(markup.value, { headers: { 'content-type': HTML } });
  };
  return (value, ctx) => {
    if (value instanceof Response) return value;
    const markup = template(value as T, ctx);
    return markup instanceof Promise ? markup.then(toResponse) : toResponse(markup);
  };
}

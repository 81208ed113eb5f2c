import { Readable } from 'node:stream';
import { codes, WebError } from './errors.js';

/** What a Response can carry: text, bytes, a Node stream or any async iterable of chunks. */
export type ResponseBody =
  | string
  | Uint8Array
  | Readable
  | AsyncIterable<Uint8Array | string>
  | null
  | undefined;

/** Header values as Node's `res.setHeader` takes them. */
export type HeaderValue = string | number | readonly string[];

/** Status and headers of a {@link Response}. */
export interface ResponseInit {
  /**
   * HTTP status code.
   * @default 200
   */
  status?: number;
  /**
   * Response headers; names are case-insensitive.
   * @default {}
   */
  headers?: Record<string, HeaderValue>;
}

/**
 * A response an endpoint (or render function) returns: status, headers and a
 * body that is sent as is. Streams and async iterables are piped, so large
 * bodies are never held in memory.
 */
export class Response {
  status: number;
  headers: Record<string, HeaderValue>;
  body: ResponseBody;

  constructor(body?: ResponseBody, init?: ResponseInit) {
    const status = init?.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      // 1xx answers are interim (100 Continue, 101 Switching Protocols,
      // 103 Early Hints): Node sends them itself or through
      // writeContinue/writeEarlyHints, never as the final response.
      throw new WebError(
        codes.INVALID_RESPONSE,
        `Response status must be an integer from 200 to 599 (1xx statuses are interim, not responses), got ${String(status)}`,
      );
    }
    const headers = init?.headers ?? {};
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      throw new WebError(
        codes.INVALID_RESPONSE,
        'Response headers must be an object of header names to values',
      );
    }
    if (!isBody(body)) {
      throw new WebError(
        codes.INVALID_RESPONSE,
        'Response body must be a string, Uint8Array, stream, async iterable, null or undefined',
      );
    }
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
}

function isBody(body: unknown): body is ResponseBody {
  return (
    body == null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof Readable ||
    (typeof body === 'object' && Symbol.asyncIterator in body)
  );
}

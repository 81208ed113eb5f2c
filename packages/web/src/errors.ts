import { STATUS_CODES } from 'node:http';
/** Stable codes of every error this package throws or turns into a response. */
export const codes = {
  /** An option passed to Application, route() or staticFiles() is invalid. */
  INVALID_OPTION: 'SUP_ERR_WEB_INVALID_OPTION',
  /** A route definition is malformed or clashes with another route. */
  INVALID_ROUTE: 'SUP_ERR_WEB_INVALID_ROUTE',
  /** An endpoint or middleware needs a value nothing provides (found at construction). */
  UNRESOLVED: 'SUP_ERR_WEB_UNRESOLVED',
  /** Two sources (built-in, resource, middleware) provide the same name. */
  CONFLICT: 'SUP_ERR_WEB_CONFLICT',
  /** A middleware did not pass a value it declared in `provides`, or passed one it did not declare. */
  PROVIDES_MISMATCH: 'SUP_ERR_WEB_PROVIDES_MISMATCH',
  /** A route without a render function returned something other than a Response. */
  NO_RENDER: 'SUP_ERR_WEB_NO_RENDER',
  /** A Response was built with an invalid status or body. */
  INVALID_RESPONSE: 'SUP_ERR_WEB_INVALID_RESPONSE',
  /** An HTTPError: the request gets its status. */
  HTTP: 'SUP_ERR_WEB_HTTP',
} as const;

export type WebErrorCode = (typeof codes)[keyof typeof codes];

/** Base class of every error of @support/web; match on `code`. */
export class WebError extends Error {
  readonly code: WebErrorCode;

  constructor(code: WebErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebError';
    this.code = code;
  }
}

/** Options of {@link HTTPError}. */
export interface HTTPErrorOptions {
  /** Extra response headers, e.g. `Allow` for a 405 or `Retry-After` for a 503. */
  headers?: Record<string, string>;
  /** The underlying error, kept for logs; never sent to the client. */
  cause?: unknown;
}

/**
 * Throw it from an endpoint, middleware or render function and the client gets
 * `status` with `message` as the body. Any other error becomes a 500.
 */
export class HTTPError extends WebError {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message?: string, options: HTTPErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new WebError(
        codes.INVALID_OPTION,
        `HTTPError status must be an integer from 400 to 599, got ${String(status)}`,
      );
    }
    super(codes.HTTP, message ?? defaultReason(status), { cause: options.cause });
    this.name = 'HTTPError';
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** Node's reason phrase of a status (as it sends on the status line), or a generic one. */
export function defaultReason(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

// Every error this package raises is a ConnmgrError with a stable `code`;
// callers match on `code` (or instanceof), never on the message.

/** Base class of every error raised by `@support/connmgr`. */
export class ConnmgrError extends Error {
  /** Stable machine-readable code, `SUP_ERR_CONNMGR_<WHAT>`. */
  readonly code: string;

  constructor(message: string, code = 'SUP_ERR_CONNMGR', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option or argument was out of range or of the wrong type. */
export class InvalidOptionError extends ConnmgrError {
  constructor(message: string) {
    super(message, 'SUP_ERR_CONNMGR_INVALID_OPTION');
  }
}

/** The manager was closed; no new connections are made. */
export class ClosedError extends ConnmgrError {
  constructor(operation: string) {
    super(`${operation}: the ConnectionManager is closed`, 'SUP_ERR_CONNMGR_CLOSED');
  }
}

/** A name is neither an address group, an alias, nor a `host:port` address. */
export class NameNotFoundError extends ConnmgrError {
  readonly target: string;

  constructor(target: string, why = 'is not an address group, an alias or a host:port address') {
    super(`${JSON.stringify(target)} ${why}`, 'SUP_ERR_CONNMGR_NAME_NOT_FOUND');
    this.target = target;
  }
}

/** The address failed repeatedly and is marked down; calls fail fast until `until`. */
export class MarkedDownError extends ConnmgrError {
  /** `host:port` of the address. */
  readonly address: string;
  /** Wall-clock milliseconds at which the markdown ends. */
  readonly until: number;
  /** The "overloaded, try later" marker (see the README's Errors section). */
  readonly overloaded = true as const;
  /** Seconds until the markdown ends (at least 1): a suggested `Retry-After`. */
  readonly retryAfter: number;

  constructor(address: string, until: number, lastError: unknown) {
    super(
      `${address} is marked down for another ${Math.max(0, until - Date.now())} ms after repeated failures`,
      'SUP_ERR_CONNMGR_MARKED_DOWN',
      lastError === undefined ? undefined : { cause: lastError },
    );
    this.address = address;
    this.until = until;
    this.retryAfter = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  }
}

/** The global connection cap was reached and no idle socket could be closed to make room. */
export class OutOfSocketsError extends ConnmgrError {
  /** The cap that was reached. */
  readonly limit: number;
  /** The "overloaded, try later" marker (see the README's Errors section). */
  readonly overloaded = true as const;
  /** Suggested wait before retrying, in seconds. */
  readonly retryAfter: number = 1;

  constructor(limit: number) {
    super(
      `all ${limit} connections (globalMaxConnections) are in use and none is idle`,
      'SUP_ERR_CONNMGR_OUT_OF_SOCKETS',
    );
    this.limit = limit;
  }
}

/** Phases of one connection attempt, all under one deadline. */
export type ConnectPhase = 'dns' | 'tcp' | 'tls';

/** One attempt (DNS + TCP + TLS) did not finish before its deadline. */
export class ConnectTimeoutError extends ConnmgrError {
  readonly address: string;
  /** The attempt's deadline in milliseconds. */
  readonly timeout: number;
  /** The phase the attempt was in when the deadline passed. */
  readonly phase: ConnectPhase;

  constructor(address: string, timeout: number, phase: ConnectPhase) {
    super(
      `connecting to ${address} timed out after ${timeout} ms (during ${phase})`,
      'SUP_ERR_CONNMGR_CONNECT_TIMEOUT',
    );
    this.address = address;
    this.timeout = timeout;
    this.phase = phase;
  }
}

/** The resolver failed for a host name (or that failure is still cached). */
export class DnsLookupError extends ConnmgrError {
  readonly host: string;
  /** True when the failure came from the negative cache, not a fresh lookup. */
  readonly cached: boolean;

  constructor(host: string, cause: unknown, cached: boolean) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `DNS lookup of ${JSON.stringify(host)} failed${cached ? ' (cached)' : ''}: ${why}`,
      'SUP_ERR_CONNMGR_DNS_LOOKUP',
      { cause },
    );
    this.host = host;
    this.cached = cached;
  }
}

/** One failed address of a {@link MultiConnectFailureError}. */
export interface ConnectFailure {
  /** `host:port` of the address. */
  address: string;
  /** Why it failed (a MarkedDownError when it was skipped). */
  error: unknown;
}

/** Several addresses were tried and every one failed; `failures` lists each with its cause. */
export class MultiConnectFailureError extends ConnmgrError {
  readonly failures: readonly ConnectFailure[];
  /**
   * The "overloaded, try later" marker: true when every failure carries it
   * (e.g. every address is marked down), so a retry later may succeed.
   */
  readonly overloaded: boolean;
  /** The shortest `retryAfter` of the failures, in seconds, when `overloaded`. */
  readonly retryAfter: number | undefined;

  constructor(target: string, failures: readonly ConnectFailure[]) {
    const list = failures.map((f) => `${f.address}: ${describe(f.error)}`).join('; ');
    super(
      `could not connect to ${target} (${failures.length} attempts): ${list}`,
      'SUP_ERR_CONNMGR_MULTI_CONNECT_FAILURE',
    );
    this.failures = failures;
    const waits = failures.map((f) => retryAfterOf(f.error));
    this.overloaded = failures.length > 0 && waits.every((w): w is number => w !== undefined);
    this.retryAfter = this.overloaded ? Math.min(...(waits as number[])) : undefined;
  }

  /** The causes alone, like AggregateError's `errors`. */
  get errors(): unknown[] {
    return this.failures.map((f) => f.error);
  }
}

/** No reply arrived within the socket's read deadline after a write; the socket was destroyed. */
export class ReadTimeoutError extends ConnmgrError {
  readonly address: string;
  readonly timeout: number;

  constructor(address: string, timeout: number) {
    super(
      `no data from ${address} within ${timeout} ms after a write`,
      'SUP_ERR_CONNMGR_READ_TIMEOUT',
    );
    this.address = address;
    this.timeout = timeout;
  }
}

/** Every attempt of `staggeredRetries` failed; `errors` holds each cause in attempt order. */
export class AllAttemptsFailedError extends ConnmgrError {
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[]) {
    super(
      `all ${errors.length} attempts failed: ${errors.map(describe).join('; ')}`,
      'SUP_ERR_CONNMGR_ALL_ATTEMPTS_FAILED',
      { cause: errors[errors.length - 1] },
    );
    this.errors = errors;
  }
}

/** The abort reason given to staggered attempts that lost the race to another one. */
export class SupersededError extends ConnmgrError {
  constructor(winner: number) {
    super(`attempt ${winner} succeeded first`, 'SUP_ERR_CONNMGR_SUPERSEDED');
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code} ${error.message}`
      : error.message;
  }
  return String(error);
}

/** An error's `retryAfter` when it carries the "overloaded, try later" marker. */
function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { overloaded?: unknown; retryAfter?: unknown };
  if (e.overloaded !== true) return undefined;
  return typeof e.retryAfter === 'number' && e.retryAfter > 0 ? e.retryAfter : 1;
}

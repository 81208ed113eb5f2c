// Every error this package raises is a BufsockError with a stable `code`;
// callers match on `code` (or instanceof), never on the message.

/** Base class of every error raised by `@support/bufsock`. */
export class BufsockError extends Error {
  /** Stable machine-readable code, `SUP_ERR_BUFSOCK_<WHAT>`. */
  readonly code: string;

  constructor(message: string, code = 'SUP_ERR_BUFSOCK', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option or argument was out of range or of the wrong type. */
export class InvalidOptionError extends BufsockError {
  constructor(message: string) {
    super(message, 'SUP_ERR_BUFSOCK_INVALID_OPTION');
  }
}

/** A synchronous `try*` read was called while asynchronous receives were still queued. */
export class ReceivePendingError extends BufsockError {
  constructor(method: string) {
    super(
      `${method}() cannot run while asynchronous receives are pending; await them first`,
      'SUP_ERR_BUFSOCK_RECEIVE_PENDING',
    );
  }
}

/** An operation did not complete before its deadline. Nothing it had received was consumed. */
export class TimeoutError extends BufsockError {
  /** The operation's timeout in milliseconds. */
  readonly timeout: number;
  /** Bytes sitting in the receive buffer when the deadline passed (still buffered). */
  readonly bytesRead: number;

  constructor(operation: string, timeout: number, bytesRead: number) {
    super(
      `${operation} timed out after ${timeout} ms (${bytesRead} bytes buffered)`,
      'SUP_ERR_BUFSOCK_TIMEOUT',
    );
    this.timeout = timeout;
    this.bytesRead = bytesRead;
  }
}

/**
 * The connection ended (peer closed, socket error, or local close/detach)
 * before the operation could complete. Bytes that had arrived stay buffered;
 * `buffered` is a view of them for convenience.
 */
export class ConnectionClosedError extends BufsockError {
  /** Bytes that were buffered when the operation gave up. */
  readonly bytesRead: number;
  /** A view of those bytes (they remain in the receive buffer too). */
  readonly buffered: Buffer;

  constructor(message: string, buffered: Buffer = Buffer.alloc(0), cause?: unknown) {
    super(
      message,
      'SUP_ERR_BUFSOCK_CONNECTION_CLOSED',
      cause === undefined ? undefined : { cause },
    );
    this.bytesRead = buffered.length;
    this.buffered = buffered;
  }
}

/**
 * More than `maxsize` bytes arrived without the delimiter (or without the peer
 * closing, for `recvClose`). The bytes stay buffered.
 */
export class MessageTooLongError extends BufsockError {
  /** Bytes buffered when the limit was hit (all still buffered). */
  readonly bytesRead: number;
  /** The limit that was exceeded. */
  readonly maxsize: number;
  /** The delimiter(s) searched for, or `undefined` for `recvClose`. */
  readonly delimiter: Buffer | readonly Buffer[] | undefined;

  constructor(
    bytesRead: number,
    maxsize: number,
    delimiter?: Buffer | readonly Buffer[],
    code = 'SUP_ERR_BUFSOCK_MESSAGE_TOO_LONG',
    message?: string,
  ) {
    super(
      message ??
        (delimiter === undefined
          ? `more than ${maxsize} bytes before the peer closed (${bytesRead} buffered)`
          : `delimiter ${describe(delimiter)} not found within ${maxsize} bytes (${bytesRead} buffered)`),
      code,
    );
    this.bytesRead = bytesRead;
    this.maxsize = maxsize;
    this.delimiter = delimiter;
  }
}

/** The peer sent something that is not a netstring (e.g. no `,` after the payload). */
export class NetstringProtocolError extends BufsockError {
  constructor(message: string, code = 'SUP_ERR_BUFSOCK_NETSTRING_PROTOCOL') {
    super(message, code);
  }
}

/** A netstring's length prefix is not a canonical decimal number followed by `:`. */
export class NetstringInvalidSizeError extends NetstringProtocolError {
  constructor(message: string) {
    super(message, 'SUP_ERR_BUFSOCK_NETSTRING_INVALID_SIZE');
  }
}

/** A netstring announced (or a caller tried to write) a payload larger than `maxsize`. */
export class NetstringMessageTooLongError extends NetstringProtocolError {
  /**
   * The announced payload size; where the length prefix was too long to read
   * in full, the value of the digits read, a lower bound (see `announced`).
   */
  readonly size: number;
  /** The limit that was exceeded. */
  readonly maxsize: number;
  /**
   * The length prefix as the peer sent it (decimal digits), ending in `…`
   * where only its first digits were read.
   */
  readonly announced: string;

  constructor(size: number, maxsize: number, announced = String(size)) {
    const what = announced.endsWith('…')
      ? `more than ${maxsize} bytes (length prefix ${announced})`
      : `${announced} bytes`;
    super(
      `netstring of ${what} exceeds maxsize ${maxsize}`,
      'SUP_ERR_BUFSOCK_NETSTRING_MESSAGE_TOO_LONG',
    );
    this.size = size;
    this.maxsize = maxsize;
    this.announced = announced;
  }
}

function describe(delimiter: Buffer | readonly Buffer[]): string {
  const list = Buffer.isBuffer(delimiter) ? [delimiter] : delimiter;
  return list.map((d) => JSON.stringify(d.toString('latin1'))).join(' or ');
}

/** An error reply (`-ERR …`) from the server. The connection is still usable. */
export class RedisReplyError extends Error {
  readonly code = 'SUP_ERR_REDIS_REPLY';
  /** The error kind Redis puts first: `ERR`, `WRONGTYPE`, `NOAUTH`, … */
  readonly prefix: string;

  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
    this.prefix = message.split(' ', 1)[0] ?? '';
  }
}

/** The server sent bytes that are not RESP. The client closes the connection. */
export class RedisProtocolError extends Error {
  readonly code = 'SUP_ERR_REDIS_PROTOCOL';

  constructor(message: string) {
    super(message);
    this.name = 'RedisProtocolError';
  }
}

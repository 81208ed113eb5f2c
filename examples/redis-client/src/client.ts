import { once } from 'node:events';
import net from 'node:net';
import { BufferedSocket, ConnectionClosedError } from '@support/bufsock';
import { RedisReplyError } from './errors.js';
import { bufferCommand, type RedisArg, type RedisReply, readReply } from './resp.js';

/** Options of {@link RedisClient}. */
export interface RedisClientOptions {
  /**
   * Deadline of each command in milliseconds, from the call to its reply.
   * @default 5_000
   */
  timeout?: number;
  /**
   * Deadline for connecting (and AUTH/SELECT) in milliseconds.
   * @default 5_000
   */
  connectTimeout?: number;
  /**
   * Longest status, error or length line accepted.
   * @default 65_536
   */
  maxLineLength?: number;
  /**
   * Largest bulk string accepted.
   * @default 67_108_864 (64 MiB)
   */
  maxBulkLength?: number;
}

/** Per-command options. */
export interface CommandOptions {
  /** Overrides the client's `timeout` for this command. */
  timeout?: number;
  /** Aborting rejects with `signal.reason` (and closes the connection, see below). */
  signal?: AbortSignal;
}

const defaults = {
  timeout: 5_000,
  connectTimeout: 5_000,
  maxLineLength: 64 * 1024,
  maxBulkLength: 64 * 1024 * 1024,
} satisfies Required<RedisClientOptions>;

/**
 * A minimal Redis client: one connection, commands answered in order,
 * pipelining, binary-safe values.
 *
 * Commands may be issued concurrently: requests are written in call order and
 * replies are read in the same order, one reply at a time. If a command fails
 * in a way that leaves the stream position unknown (timeout, abort, protocol
 * error, connection loss) the connection is closed and later commands reject
 * with ConnectionClosedError; an error *reply* (`-ERR …`) is just a result.
 */
export class RedisClient {
  private readonly bs: BufferedSocket<net.Socket>;
  private readonly options: Required<RedisClientOptions>;
  private readTail: Promise<unknown> = Promise.resolve();
  private broken: unknown;

  /** Wraps an already connected socket. Prefer {@link RedisClient.connect}. */
  constructor(socket: net.Socket, options: RedisClientOptions = {}) {
    this.options = { ...defaults, ...options };
    this.bs = new BufferedSocket(socket, {
      timeout: this.options.timeout,
      maxsize: this.options.maxLineLength,
    });
  }

  /**
   * Connects to `url` (`redis://[:password@]host[:port][/db]`), authenticating
   * and selecting the database when the URL says so.
   */
  static async connect(
    url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    options: RedisClientOptions = {},
  ): Promise<RedisClient> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'redis:')
      throw new TypeError(`unsupported URL scheme ${parsed.protocol}`);
    const connectTimeout = options.connectTimeout ?? defaults.connectTimeout;
    const socket = net.connect({
      host: parsed.hostname || '127.0.0.1',
      port: Number(parsed.port || 6379),
    });
    socket.setNoDelay(true);
    try {
      await once(socket, 'connect', { signal: AbortSignal.timeout(connectTimeout) });
    } catch (error) {
      socket.destroy();
      throw error;
    }
    const client = new RedisClient(socket, options);
    try {
      const password = decodeURIComponent(parsed.password);
      const username = decodeURIComponent(parsed.username);
      if (password) {
        await client.command(username ? ['AUTH', username, password] : ['AUTH', password], {
          timeout: connectTimeout,
        });
      }
      const db = parsed.pathname.slice(1);
      if (db) await client.command(['SELECT', db], { timeout: connectTimeout });
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** Sends one command and resolves with its reply; an error reply rejects with RedisReplyError. */
  async command(args: readonly RedisArg[], options?: CommandOptions): Promise<RedisReply> {
    const [reply] = await this.exchange([args], options);
    if (reply instanceof RedisReplyError) throw reply;
    return reply as RedisReply;
  }

  /**
   * Sends all commands in one write and resolves with their replies in order.
   * Error replies are returned in place (as RedisReplyError values), not thrown.
   */
  pipeline(
    commands: readonly (readonly RedisArg[])[],
    options?: CommandOptions,
  ): Promise<RedisReply[]> {
    return this.exchange(commands, options);
  }

  /** `PING` → `'PONG'`. */
  async ping(options?: CommandOptions): Promise<string> {
    return (await this.command(['PING'], options)) as string;
  }

  /** `GET key` as UTF-8 text, or null. */
  async get(key: RedisArg, options?: CommandOptions): Promise<string | null> {
    const value = await this.getBuffer(key, options);
    return value === null ? null : value.toString('utf8');
  }

  /** `GET key` as bytes, or null. */
  async getBuffer(key: RedisArg, options?: CommandOptions): Promise<Buffer | null> {
    return (await this.command(['GET', key], options)) as Buffer | null;
  }

  /** `SET key value [PX ms]`; resolves true when set. */
  async set(
    key: RedisArg,
    value: RedisArg,
    options?: CommandOptions & { px?: number },
  ): Promise<boolean> {
    const args: RedisArg[] = ['SET', key, value];
    if (options?.px !== undefined) args.push('PX', options.px);
    return (await this.command(args, options)) === 'OK';
  }

  /** `INCR key` → the new value. */
  async incr(key: RedisArg, options?: CommandOptions): Promise<number> {
    return Number(await this.command(['INCR', key], options));
  }

  /** `DEL key…` → how many were removed. */
  async del(keys: readonly RedisArg[], options?: CommandOptions): Promise<number> {
    if (keys.length === 0) return 0;
    return Number(await this.command(['DEL', ...keys], options));
  }

  /** Sends `QUIT`, waits for the reply, then closes. */
  async quit(options?: CommandOptions): Promise<void> {
    try {
      await this.command(['QUIT'], options);
    } finally {
      await this.close();
    }
  }

  /** Closes the connection; pending commands reject with ConnectionClosedError. */
  async close(): Promise<void> {
    this.broken ??= new ConnectionClosedError('the Redis client was closed');
    await this.bs.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async exchange(
    commands: readonly (readonly RedisArg[])[],
    options: CommandOptions | undefined,
  ): Promise<RedisReply[]> {
    if (this.broken !== undefined) throw this.broken;
    const timeout = options?.timeout ?? this.options.timeout;
    const deadline = performance.now() + timeout;
    const signal = options?.signal;
    for (const args of commands) bufferCommand(this.bs, args);
    const written = this.bs.flush({ timeout, signal });
    // Replies come back in request order; read ours after the earlier ones.
    const replies = this.readTail.then(async () => {
      if (this.broken !== undefined) throw this.broken;
      const limits = {
        maxLineLength: this.options.maxLineLength,
        maxBulkLength: this.options.maxBulkLength,
        deadline,
        timeout,
        signal,
      };
      const out: RedisReply[] = [];
      for (let i = 0; i < commands.length; i++) out.push(await readReply(this.bs, limits));
      return out;
    });
    this.readTail = replies.catch(() => {});
    try {
      await written;
      return await replies;
    } catch (error) {
      // The stream position is unknown now: give up on this connection.
      if (this.broken === undefined) {
        this.broken = new ConnectionClosedError(
          'the Redis connection was closed after an earlier failure',
          undefined,
          error,
        );
        void this.bs.close();
      }
      throw error;
    }
  }
}

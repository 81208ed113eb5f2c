import type { Duplex } from 'node:stream';
import { ChunkQueue } from './chunk-queue.js';
import {
  backpressureChannel,
  closeChannel,
  messageTooLongChannel,
  timeoutChannel,
} from './diagnostics.js';
import {
  BufsockError,
  ConnectionClosedError,
  InvalidOptionError,
  MessageTooLongError,
  ReceivePendingError,
  TimeoutError,
} from './errors.js';
import {
  type BufferedSocketOptions,
  checkCount,
  checkSize,
  checkTimeout,
  type OperationOptions,
  type RecvUntilOptions,
  type ResolvedOptions,
  resolveOptions,
  type SizedOperationOptions,
  toDelimiters,
} from './options.js';

/** Bytes accepted by the send methods. Strings are encoded as UTF-8. */
export type SendData = string | Uint8Array;

/** What {@link BufferedSocket.detach} hands back. */
export interface DetachedSocket<S extends Duplex = Duplex> {
  /** The raw socket, paused, with every listener this BufferedSocket added removed. */
  socket: S;
  /** Bytes that had been received but not yet consumed. */
  buffered: Buffer;
  /** Bytes given to `buffer()` but not yet flushed. */
  sendBuffer: Buffer;
}

/** Returned by an attempt that cannot complete with what is buffered yet. */
export const NOT_READY: unique symbol = Symbol('bufsock.notReady');
/** One try at completing a receive: the value, NOT_READY, or a thrown error. */
export type Attempt<T> = () => T | typeof NOT_READY;

interface PendingReceive {
  /** Settles the operation if it can; true when it settled (either way). */
  attempt(): boolean;
  /** Bytes that must be buffered before it can make progress (for flow control). */
  need(): number;
  fail(error: unknown): void;
}

interface PendingSend {
  start(): void;
  fail(error: unknown): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * A socket (any Duplex) as a parser-friendly byte source: exact-size and
 * delimited reads with per-operation deadlines, a receive buffer bounded by
 * `maxsize` with backpressure to the peer, and nothing lost when an
 * operation fails.
 */
export class BufferedSocket<S extends Duplex = Duplex> {
  /** The wrapped socket. Read from it only through this object until {@link detach}. */
  readonly socket: S;
  protected readonly rbuf = new ChunkQueue();
  protected readonly options: ResolvedOptions;
  private readonly receives: PendingReceive[] = [];
  private readonly sends: PendingSend[] = [];
  private sendBuf: Buffer[] = [];
  private sendBufLength = 0;
  private paused = false;
  private waitingForDrain = false;
  private ended = false;
  private terminated = false;
  private failure: unknown;
  private closedAs: 'closed' | 'detached' | undefined;

  constructor(socket: S, options?: BufferedSocketOptions) {
    if (
      socket === null ||
      typeof socket !== 'object' ||
      typeof socket.on !== 'function' ||
      typeof socket.write !== 'function'
    ) {
      throw new InvalidOptionError('socket must be a Duplex stream (net.Socket, tls.TLSSocket, …)');
    }
    this.options = resolveOptions(options);
    this.socket = socket;
    if (socket.readableEnded) this.ended = true;
    if (socket.destroyed) this.terminated = true;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    // A 'data' listener does not restart a stream paused explicitly (one
    // handed back by detach(), or pooled): this object owns the flow now.
    if (socket.readableFlowing === false) socket.resume();
  }

  /** Arms an operation's deadline: on expiry it publishes and gives up with a TimeoutError. */
  private startDeadline(
    operation: string,
    timeout: number,
    giveUp: (error: unknown) => void,
  ): ReturnType<typeof setTimeout> | undefined {
    if (timeout === Number.POSITIVE_INFINITY) return undefined;
    return setTimeout(() => {
      if (timeoutChannel.hasSubscribers) {
        timeoutChannel.publish({ socket: this, operation, timeout, buffered: this.rbuf.length });
      }
      giveUp(new TimeoutError(operation, timeout, this.rbuf.length));
    }, timeout);
  }

  // ---------------------------------------------------------------- receive

  /**
   * Up to `size` bytes as soon as any are available; an empty Buffer at end of
   * stream. Returns at most what arrived in one chunk, so it never copies.
   */
  recv(size?: number, options?: OperationOptions): Promise<Buffer> {
    const n = size ?? this.options.recvsize;
    if (!isPositiveInt(n)) return rejectOption('size must be a positive integer');
    return this.receive('recv', () => this.recvAttempt(n), one, options);
  }

  /** Exactly `size` bytes. Rejects with ConnectionClosedError if the stream ends first. */
  recvSize(size: number, options?: OperationOptions): Promise<Buffer> {
    if (!isCount(size)) return rejectOption('size must be a non-negative integer');
    // Hot path of length-prefixed parsers: already buffered, nothing queued, no options.
    if (options === undefined && this.receives.length === 0 && this.rbuf.length >= size) {
      const out = this.rbuf.take(size);
      if (this.paused) this.updateFlow();
      return Promise.resolve(out);
    }
    return this.receive(
      'recvSize',
      () => this.sizeAttempt('recvSize', size, true),
      () => size,
      options,
    );
  }

  /** Like {@link recvSize} but leaves the bytes buffered. */
  peek(size: number, options?: OperationOptions): Promise<Buffer> {
    if (!isCount(size)) return rejectOption('size must be a non-negative integer');
    return this.receive(
      'peek',
      () => this.sizeAttempt('peek', size, false),
      () => size,
      options,
    );
  }

  /**
   * Everything up to the delimiter (a string, a Buffer, or an array of
   * alternatives; the earliest match wins). The delimiter is consumed and, unless
   * `withDelimiter`, left out of the result. Rejects with MessageTooLongError if it
   * is not found within `maxsize` bytes.
   */
  recvUntil(
    delimiter: string | Uint8Array | readonly (string | Uint8Array)[],
    options?: RecvUntilOptions,
  ): Promise<Buffer> {
    let delims: Buffer[];
    let maxsize: number;
    try {
      delims = toDelimiters(delimiter);
      maxsize = this.opMaxsize(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const state = { scanFrom: 0 };
    const withDelimiter = options?.withDelimiter === true;
    const longest = maxLength(delims);
    return this.receive(
      'recvUntil',
      () => this.untilAttempt(delims, longest, maxsize, withDelimiter, state),
      () => maxsize + longest,
      options,
    );
  }

  /** Everything until the peer closes its side. Rejects with MessageTooLongError past `maxsize`. */
  recvClose(options?: SizedOperationOptions): Promise<Buffer> {
    let maxsize: number;
    try {
      maxsize = this.opMaxsize(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.receive(
      'recvClose',
      () => this.closeAttempt(maxsize),
      () => maxsize + 1,
      options,
    );
  }

  /** Synchronous {@link recv}: the bytes if any are buffered, else `undefined`. */
  tryRecv(size?: number): Buffer | undefined {
    const n = size ?? this.options.recvsize;
    checkSize(n, 'size');
    return this.trySync('tryRecv', () => this.recvAttempt(n));
  }

  /** Synchronous {@link recvSize}: the bytes if `size` are buffered, else `undefined`. */
  tryRecvSize(size: number): Buffer | undefined {
    // Inlined (no closure, no try/finally): this is the hottest call of a framing loop.
    if (this.receives.length > 0) throw new ReceivePendingError('tryRecvSize');
    const rbuf = this.rbuf;
    // A uint32 needs no further validation; others take the full check.
    if (size >>> 0 === size) {
      const out = rbuf.takeInHead(size);
      if (out !== undefined) {
        if (this.paused) this.updateFlow();
        return out;
      }
    } else if (!isCount(size)) throw new InvalidOptionError('size must be a non-negative integer');
    if (rbuf.length >= size) {
      const out = rbuf.take(size);
      if (this.paused) this.updateFlow();
      return out;
    }
    if (this.atEnd) throw this.endError('tryRecvSize');
    return undefined;
  }

  /**
   * Synchronous {@link recvFrame}: the payload of the next frame (a 4-byte
   * big-endian unsigned length, then that many bytes) if all of it is
   * buffered, else `undefined`. The length is read in place and the payload
   * returned without copying when it lies in one chunk, so a framing loop
   * allocates one Buffer a message. Throws MessageTooLongError (the frame
   * left buffered) for a length above `maxsize`, ConnectionClosedError at
   * the end of the stream.
   */
  tryRecvFrame(): Buffer | undefined {
    if (this.receives.length > 0) throw new ReceivePendingError('tryRecvFrame');
    // Most frames lie whole in the first chunk; the rest (across chunks, too
    // long, not all here yet) take the general path.
    const out =
      this.rbuf.takeFrameInHead(this.options.maxsize) ?? this.frameAttempt('tryRecvFrame');
    if (out === NOT_READY) return undefined;
    if (this.paused) this.updateFlow();
    return out;
  }

  /**
   * The payload of the next length-prefixed frame: a 4-byte big-endian
   * unsigned length, then that many bytes (the length is not returned).
   * Rejects with MessageTooLongError (nothing consumed) if the length is
   * above `maxsize`, ConnectionClosedError if the stream ends first; on
   * timeout or abort nothing is consumed.
   */
  recvFrame(options?: OperationOptions): Promise<Buffer> {
    // Already buffered, nothing queued, no options: no closures, no deadline.
    if (options === undefined && this.receives.length === 0) {
      const out = this.rbuf.takeFrameInHead(this.options.maxsize);
      if (out !== undefined) {
        if (this.paused) this.updateFlow();
        return Promise.resolve(out);
      }
    }
    return this.receive(
      'recvFrame',
      () => this.frameAttempt('recvFrame'),
      () => (this.rbuf.length >= 4 ? 4 + this.rbuf.uint32BE() : 4),
      options,
    );
  }

  /** Synchronous {@link peek}. */
  tryPeek(size: number): Buffer | undefined {
    checkCount(size, 'size');
    return this.trySync('tryPeek', () => this.sizeAttempt('tryPeek', size, false));
  }

  /** Synchronous {@link recvUntil}: the message if it is complete in the buffer, else `undefined`. */
  tryRecvUntil(
    delimiter: string | Uint8Array | readonly (string | Uint8Array)[],
    options?: Omit<RecvUntilOptions, 'timeout' | 'signal'>,
  ): Buffer | undefined {
    const delims = toDelimiters(delimiter);
    const maxsize = this.opMaxsize(options);
    const state = { scanFrom: 0 };
    const longest = maxLength(delims);
    const withDelimiter = options?.withDelimiter === true;
    return this.trySync('tryRecvUntil', () =>
      this.untilAttempt(delims, longest, maxsize, withDelimiter, state),
    );
  }

  /** Bytes received and not yet consumed. */
  get bufferedLength(): number {
    return this.rbuf.length;
  }

  /** A copy (or view) of the bytes received and not yet consumed; nothing is consumed. */
  getRecvBuffer(): Buffer {
    return this.rbuf.peekAll();
  }

  // ------------------------------------------------------------------- send

  /**
   * Sends the send buffer (see {@link buffer}) followed by `data`, and resolves
   * with the byte count once the socket has handed it to the kernel. Waits for
   * `'drain'` first if the socket's write buffer is full. On timeout or abort
   * before the write started nothing is written and the send buffer is kept;
   * after it started, the bytes stay queued in the socket.
   */
  send(data?: SendData, options?: OperationOptions): Promise<number> {
    if (data === undefined) return this.sendMany([], options);
    return this.sendMany([data], options);
  }

  /** Alias of {@link send}: every byte is sent or the promise rejects. */
  sendAll(data?: SendData, options?: OperationOptions): Promise<number> {
    return this.send(data, options);
  }

  /** Appends to the send buffer without writing; {@link flush} or the next send writes it in one go. */
  buffer(data: SendData): void {
    const buf = toBuffer(data);
    if (buf.length === 0) return;
    this.sendBuf.push(buf);
    this.sendBufLength += buf.length;
  }

  /** Writes the send buffer (corked into one write). */
  flush(options?: OperationOptions): Promise<number> {
    return this.sendMany([], options);
  }

  /** A copy of the bytes given to {@link buffer} and not yet flushed. */
  getSendBuffer(): Buffer {
    return Buffer.concat(this.sendBuf, this.sendBufLength);
  }

  /**
   * Half-closes: flushes the send buffer, then ends the writable side (FIN) and
   * resolves once everything is written. Receiving still works if the socket
   * allows half-open connections (`allowHalfOpen: true` for net sockets).
   */
  shutdown(options?: OperationOptions): Promise<void> {
    return this.enqueueSend(
      'shutdown',
      (done) => {
        const pieces = this.takeSendBuffer();
        for (const piece of pieces) this.socket.write(piece);
        this.socket.end(() => done());
      },
      options,
    ).then(() => undefined);
  }

  // -------------------------------------------------------------- settings

  /** Changes the default deadline of later operations. */
  setTimeout(ms: number): void {
    checkTimeout(ms, 'timeout');
    this.options.timeout = ms;
  }

  /** Changes the default maxsize (and the pause threshold of the receive buffer). */
  setMaxsize(size: number): void {
    checkSize(size, 'maxsize');
    this.options.maxsize = size;
    this.updateFlow();
  }

  /** The default deadline of operations, in milliseconds. */
  get timeout(): number {
    return this.options.timeout;
  }

  /** The default maxsize. */
  get maxsize(): number {
    return this.options.maxsize;
  }

  // -------------------------------------------------------------- lifecycle

  /**
   * Destroys the socket and rejects every pending operation with
   * ConnectionClosedError. Unflushed sends are dropped; call {@link shutdown}
   * first for a graceful end. Resolves when the socket has closed; does
   * nothing after {@link detach}.
   */
  async close(): Promise<void> {
    // After detach() the socket belongs to the caller again.
    if (this.closedAs === 'detached') return;
    if (this.closedAs === undefined) {
      this.closedAs = 'closed';
      this.failPending();
      this.removeListeners();
      // A write still in flight may report ERR_STREAM_DESTROYED; nobody waits for it.
      this.socket.on('error', ignore);
      this.socket.destroy();
      if (closeChannel.hasSubscribers) closeChannel.publish({ socket: this, reason: 'closed' });
    }
    if (this.socket.closed === false) {
      await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    }
  }

  /**
   * Stops managing the socket and hands it back, paused, with the bytes still
   * buffered in either direction. Pending operations reject with ConnectionClosedError.
   */
  detach(): DetachedSocket<S> {
    if (this.closedAs !== undefined) {
      throw new ConnectionClosedError(
        `cannot detach: the BufferedSocket was already ${this.closedAs}`,
      );
    }
    this.closedAs = 'detached';
    this.failPending();
    this.removeListeners();
    this.socket.pause();
    const buffered = this.rbuf.takeAll();
    const sendBuffer = Buffer.concat(this.takeSendBuffer());
    if (closeChannel.hasSubscribers) closeChannel.publish({ socket: this, reason: 'detached' });
    return { socket: this.socket, buffered, sendBuffer };
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------- for subclasses

  /**
   * Queues a receive. `attempt` runs whenever bytes arrive (or the stream ends)
   * while it is at the head of the queue; it must not consume anything unless
   * it returns a value. `need` is how many bytes it needs buffered to progress.
   */
  protected receive<T>(
    operation: string,
    attempt: Attempt<T>,
    need: () => number,
    options: OperationOptions | undefined,
  ): Promise<T> {
    const admitted = this.admit(options);
    if (admitted instanceof Promise) return admitted;
    const { timeout, signal } = admitted;
    if (this.receives.length === 0) {
      // Fast path: already buffered (or already failed), no timer, no listener.
      try {
        const value = attempt();
        if (value !== NOT_READY) {
          if (this.paused) this.updateFlow();
          return Promise.resolve(value);
        }
      } catch (error) {
        this.reportFailure(operation, error);
        if (this.paused) this.updateFlow();
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const op: PendingReceive = {
        need,
        attempt: () => {
          let value: T | typeof NOT_READY;
          try {
            value = attempt();
          } catch (error) {
            cleanup();
            this.reportFailure(operation, error);
            reject(error);
            return true;
          }
          if (value === NOT_READY) return false;
          cleanup();
          resolve(value);
          return true;
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      };
      const giveUp = (error: unknown): void => {
        const index = this.receives.indexOf(op);
        if (index === -1) return;
        this.receives.splice(index, 1);
        cleanup();
        reject(error);
        if (index === 0) this.pumpReceives();
      };
      const onAbort = (): void => giveUp(signal?.reason);
      timer = this.startDeadline(operation, timeout, giveUp);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.receives.push(op);
      this.updateFlow();
    });
  }

  /** Runs a synchronous attempt, refusing while asynchronous receives are queued. */
  protected trySync<T>(method: string, attempt: Attempt<T>): T | undefined {
    if (this.receives.length > 0) throw new ReceivePendingError(method);
    let value: T | typeof NOT_READY;
    try {
      value = attempt();
    } catch (error) {
      this.reportFailure(method, error);
      throw error;
    } finally {
      if (this.paused) this.updateFlow();
    }
    return value === NOT_READY ? undefined : value;
  }

  /** The error for an operation that cannot complete because the stream is over, if it is. */
  protected endError(operation: string): ConnectionClosedError | undefined {
    if (this.closedAs !== undefined) {
      return new ConnectionClosedError(`${operation}: the BufferedSocket was ${this.closedAs}`);
    }
    if (this.failure !== undefined) {
      const message = this.failure instanceof Error ? this.failure.message : String(this.failure);
      return new ConnectionClosedError(
        `${operation}: socket error (${message}) with ${this.rbuf.length} bytes buffered`,
        this.rbuf.peekAll(),
        this.failure,
      );
    }
    if (this.ended || this.terminated) {
      return new ConnectionClosedError(
        `${operation}: connection closed by the peer with ${this.rbuf.length} bytes buffered`,
        this.rbuf.peekAll(),
      );
    }
    return undefined;
  }

  /** True once the readable side can deliver no more bytes (EOF, error or close). */
  protected get atEnd(): boolean {
    return (
      this.ended || this.terminated || this.failure !== undefined || this.closedAs !== undefined
    );
  }

  /** Sends several pieces as one corked write, after the send buffer. */
  protected sendMany(data: readonly SendData[], options?: OperationOptions): Promise<number> {
    let extra: Buffer[];
    try {
      extra = data.map(toBuffer);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueueSend(
      'send',
      (done) => {
        const pieces = this.takeSendBuffer();
        for (const piece of extra) if (piece.length > 0) pieces.push(piece);
        let total = 0;
        for (const piece of pieces) total += piece.length;
        if (total === 0) return done(undefined, 0);
        const onWritten = (error?: Error | null): void => done(error ?? undefined, total);
        if (pieces.length === 1) {
          this.socket.write(pieces[0]!, onWritten);
          return;
        }
        this.socket.cork();
        const last = pieces.length - 1;
        for (let i = 0; i < last; i++) this.socket.write(pieces[i]!);
        this.socket.write(pieces[last]!, onWritten);
        this.socket.uncork();
      },
      options,
    );
  }

  // ---------------------------------------------------------------- private

  private recvAttempt(size: number): Buffer | typeof NOT_READY {
    // Only from the first buffered chunk: never a copy.
    const available = this.rbuf.headLength();
    if (available > 0) return this.rbuf.take(Math.min(available, size));
    if (this.atEnd) {
      if (this.ended && this.failure === undefined && this.closedAs === undefined) return EMPTY;
      throw this.endError('recv');
    }
    return NOT_READY;
  }

  private sizeAttempt(
    operation: string,
    size: number,
    consume: boolean,
  ): Buffer | typeof NOT_READY {
    if (this.rbuf.length >= size) return consume ? this.rbuf.take(size) : this.rbuf.peek(size);
    if (this.atEnd) throw this.endError(operation);
    return NOT_READY;
  }

  private frameAttempt(operation: string): Buffer | typeof NOT_READY {
    const rbuf = this.rbuf;
    if (rbuf.length >= 4) {
      const size = rbuf.uint32BE();
      if (size > this.options.maxsize) {
        throw new MessageTooLongError(
          rbuf.length,
          this.options.maxsize,
          undefined,
          undefined,
          `frame of ${size} bytes announced, above maxsize ${this.options.maxsize} (${rbuf.length} buffered)`,
        );
      }
      if (rbuf.length - 4 >= size) return rbuf.skipTake(4, size);
    }
    if (this.atEnd) throw this.endError(operation);
    return NOT_READY;
  }

  private untilAttempt(
    delims: Buffer[],
    longest: number,
    maxsize: number,
    withDelimiter: boolean,
    state: { scanFrom: number },
  ): Buffer | typeof NOT_READY {
    const rbuf = this.rbuf;
    let at = -1;
    let len = 0;
    for (const delim of delims) {
      const index = rbuf.indexOf(delim, state.scanFrom);
      if (index !== -1 && (at === -1 || index < at || (index === at && delim.length > len))) {
        at = index;
        len = delim.length;
      }
    }
    if (at !== -1 && at <= maxsize) {
      if (withDelimiter) return rbuf.take(at + len);
      const message = rbuf.take(at);
      rbuf.skip(len);
      return message;
    }
    if (at !== -1 || rbuf.length >= maxsize + longest) {
      throw new MessageTooLongError(rbuf.length, maxsize, delims.length === 1 ? delims[0] : delims);
    }
    // No match can start before here; the next search resumes from it.
    state.scanFrom = Math.max(0, rbuf.length - longest + 1);
    if (this.atEnd) throw this.endError('recvUntil');
    return NOT_READY;
  }

  private closeAttempt(maxsize: number): Buffer | typeof NOT_READY {
    if (this.rbuf.length > maxsize) throw new MessageTooLongError(this.rbuf.length, maxsize);
    if (this.atEnd) {
      if (this.ended && this.failure === undefined && this.closedAs === undefined) {
        return this.rbuf.takeAll();
      }
      throw this.endError('recvClose');
    }
    return NOT_READY;
  }

  private enqueueSend(
    operation: string,
    start: (done: (error?: unknown, count?: number) => void) => void,
    options: OperationOptions | undefined,
  ): Promise<number> {
    const admitted = this.admit(options);
    if (admitted instanceof Promise) return admitted;
    const { timeout, signal } = admitted;
    return new Promise<number>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (error?: unknown, count = 0): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve(count);
        else reject(error);
      };
      const op: PendingSend = {
        start: () => {
          try {
            start((error, count) =>
              finish(error === undefined ? undefined : this.writeError(operation, error), count),
            );
          } catch (error) {
            finish(this.writeError(operation, error));
          }
        },
        fail: (error) => finish(error),
      };
      const giveUp = (error: unknown): void => {
        const index = this.sends.indexOf(op);
        if (index !== -1) this.sends.splice(index, 1);
        finish(error);
      };
      const onAbort = (): void => giveUp(signal?.reason);
      timer = this.startDeadline(operation, timeout, giveUp);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sends.push(op);
      this.pumpSends();
    });
  }

  private pumpSends(): void {
    while (this.sends.length > 0) {
      if (this.closedAs !== undefined || this.socket.destroyed || this.socket.writableEnded) {
        const error = new ConnectionClosedError(
          this.closedAs !== undefined
            ? `send: the BufferedSocket was ${this.closedAs}`
            : 'send: the socket is no longer writable',
        );
        for (const op of this.sends.splice(0)) op.fail(error);
        return;
      }
      if (this.socket.writableNeedDrain) {
        if (!this.waitingForDrain) {
          this.waitingForDrain = true;
          this.socket.once('drain', this.onDrain);
        }
        return;
      }
      this.sends.shift()!.start();
    }
  }

  private takeSendBuffer(): Buffer[] {
    const pieces = this.sendBuf;
    this.sendBuf = [];
    this.sendBufLength = 0;
    return pieces;
  }

  private writeError(operation: string, error: unknown): unknown {
    if (error instanceof BufsockError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ConnectionClosedError(`${operation}: write failed (${message})`, EMPTY, error);
  }

  private pumpReceives(): void {
    const receives = this.receives;
    while (receives.length > 0) {
      if (!receives[0]!.attempt()) break;
      receives.shift();
    }
    this.updateFlow();
  }

  /** Pauses the socket while the buffer holds what the head operation needs (or maxsize). */
  private updateFlow(): void {
    if (this.closedAs !== undefined) return;
    const head = this.receives[0];
    const needed = head === undefined ? 0 : head.need();
    const limit = Math.max(needed, this.options.maxsize);
    if (this.rbuf.length >= limit) {
      if (!this.paused) {
        this.paused = true;
        this.socket.pause();
        if (backpressureChannel.hasSubscribers) {
          backpressureChannel.publish({ socket: this, paused: true, buffered: this.rbuf.length });
        }
      }
    } else if (this.paused) {
      this.paused = false;
      this.socket.resume();
      if (backpressureChannel.hasSubscribers) {
        backpressureChannel.publish({ socket: this, paused: false, buffered: this.rbuf.length });
      }
    }
  }

  private reportFailure(operation: string, error: unknown): void {
    if (error instanceof MessageTooLongError && messageTooLongChannel.hasSubscribers) {
      messageTooLongChannel.publish({
        socket: this,
        operation,
        maxsize: error.maxsize,
        buffered: this.rbuf.length,
      });
    }
  }

  private failPending(): void {
    const error = new ConnectionClosedError(`the BufferedSocket was ${this.closedAs}`);
    for (const op of this.receives.splice(0)) op.fail(error);
    for (const op of this.sends.splice(0)) op.fail(error);
  }

  private removeListeners(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    this.socket.off('drain', this.onDrain);
    this.waitingForDrain = false;
  }

  /**
   * An operation's deadline and signal, or the rejection it ends with at once
   * (an invalid timeout, or a signal already aborted).
   */
  private admit(
    options: OperationOptions | undefined,
  ): { timeout: number; signal: AbortSignal | undefined } | Promise<never> {
    let timeout: number;
    try {
      timeout = this.opTimeout(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return { timeout, signal };
  }

  private opTimeout(options: OperationOptions | undefined): number {
    const timeout = options?.timeout;
    if (timeout === undefined) return this.options.timeout;
    checkTimeout(timeout, 'options.timeout');
    return timeout;
  }

  private opMaxsize(options: SizedOperationOptions | undefined): number {
    const maxsize = options?.maxsize;
    if (maxsize === undefined) return this.options.maxsize;
    checkSize(maxsize, 'options.maxsize');
    return maxsize;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.rbuf.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (this.receives.length > 0) this.pumpReceives();
    else this.updateFlow();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.pumpReceives();
  };

  private readonly onError = (error: unknown): void => {
    this.failure ??= error;
    this.pumpReceives();
    this.pumpSends();
  };

  private readonly onClose = (): void => {
    this.terminated = true;
    this.pumpReceives();
    this.pumpSends();
  };

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.pumpSends();
  };
}

function toBuffer(data: SendData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new InvalidOptionError('data must be a string, Buffer or Uint8Array');
}

function maxLength(buffers: readonly Buffer[]): number {
  let longest = 0;
  for (const b of buffers) if (b.length > longest) longest = b.length;
  return longest;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function rejectOption(message: string): Promise<never> {
  return Promise.reject(new InvalidOptionError(message));
}

function one(): number {
  return 1;
}

function ignore(): void {}

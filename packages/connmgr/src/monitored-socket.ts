import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Recent } from '@support/context';
import { nanotime, type Transitor } from '@support/faststat';
import type { Address } from './address.js';
import { ReadTimeoutError } from './errors.js';
import type { ServerModel } from './server-model.js';

/** Where a socket is in its life; tracked in the context's `connmgr.socket` Markov. */
export type SocketState =
  | 'connecting'
  | 'connected'
  | 'tls_handshaking'
  | 'in_use'
  | 'pooled'
  | 'closed';

/** What a MonitoredSocket tells the manager that owns it. */
export interface SocketOwner {
  socketClosed(sock: MonitoredSocket): void;
  socketError(sock: MonitoredSocket, error: unknown): void;
  /** Data or end of stream arrived while the socket sat idle in the pool. */
  unsolicited(sock: MonitoredSocket, what: 'data' | 'end'): void;
}

/** @internal What the manager hands the constructor. */
export interface MonitoredSocketInit {
  socket: Socket | TLSSocket;
  address: Address;
  kind: string;
  tls: boolean;
  poolKey: string;
  ip: string;
  transitor: Transitor;
  model: ServerModel;
  recent: Recent | undefined;
  owner: SocketOwner;
}

type WriteFn = Socket['write'];
type EndFn = Socket['end'];

/**
 * A connected socket handed out by the ConnectionManager. `socket` is the
 * real net.Socket (or TLSSocket): read and write it directly, or wrap it in a
 * BufferedSocket. Everything it sends and receives is counted per address
 * (sizes, the wait for each reply, recent traffic), and its state is tracked
 * in a Markov. Give it back with `mgr.release(sock)`, or `destroy()` it.
 *
 * The socket is observed in place (its `push`, `write` and `end` are wrapped
 * on the instance), so any consumer — 'data' listeners, `read()`, pipes,
 * BufferedSocket — is seen without a second stream in between.
 */
export class MonitoredSocket {
  readonly socket: Socket | TLSSocket;
  readonly address: Address;
  /** `host:port` of the address (as configured, not the resolved IP). */
  readonly peer: string;
  /** The IP actually connected to. */
  readonly ip: string;
  /** The `kind` it was asked for; sockets are pooled per kind. */
  readonly kind: string;
  readonly tls: boolean;
  /** Wall-clock ms when it connected. */
  readonly createdAt = Date.now();
  /** Bytes received (after TLS decryption). */
  bytesIn = 0;
  /** Bytes given to `write`/`end`. */
  bytesOut = 0;
  /** Chunks received. */
  recvCount = 0;
  /** Times it was handed out (1 for a fresh socket). */
  uses = 0;
  /** @internal */
  readonly poolKey: string;
  /** @internal Wall-clock ms when it went into the pool. */
  pooledAt = 0;

  readonly #transitor: Transitor;
  readonly #model: ServerModel;
  readonly #recent: Recent | undefined;
  readonly #owner: SocketOwner;
  #readTimeout = Number.POSITIVE_INFINITY;
  /** nanotime() of the first write since the last data, 0 when not waiting for a reply. */
  #awaitingSince = 0;
  #deadlineArmed = false;
  /** performance.now() when the read deadline was armed. */
  #armedAt = 0;
  /** One timer per socket, re-armed with refresh(): no allocation per request. */
  #deadlineTimer: NodeJS.Timeout | undefined;
  #timerDelay = 0;
  #unsolicited = false;

  /** @internal Created by ConnectionManager. */
  constructor(init: MonitoredSocketInit) {
    this.socket = init.socket;
    this.address = init.address;
    this.peer = init.model.key;
    this.ip = init.ip;
    this.kind = init.kind;
    this.tls = init.tls;
    this.poolKey = init.poolKey;
    this.#transitor = init.transitor;
    this.#model = init.model;
    this.#recent = init.recent;
    this.#owner = init.owner;
    this.instrument();
  }

  /** The current state (`closed` once the socket is gone). */
  get state(): SocketState {
    return this.#transitor.state as SocketState;
  }

  /** The read deadline in ms (`Infinity` when off). */
  get readTimeout(): number {
    return this.#readTimeout;
  }

  /**
   * Whether it could go back to the pool: open both ways, nothing received
   * that nobody read, and nothing arrived while it was idle.
   */
  get reusable(): boolean {
    const s = this.socket;
    return (
      !this.#unsolicited &&
      !s.destroyed &&
      !s.readableEnded &&
      s.readableLength === 0 &&
      s.writable &&
      s.writableLength === 0
    );
  }

  /** Closes the socket for good (with `error`, which its listeners then see). */
  destroy(error?: Error): void {
    this.socket.destroy(error);
  }

  /** JSON view for status pages. */
  toJSON(): Record<string, unknown> {
    return {
      peer: this.peer,
      ip: this.ip,
      kind: this.kind,
      tls: this.tls,
      state: this.state,
      age: Date.now() - this.createdAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      uses: this.uses,
    };
  }

  /** @internal Handed out to a caller. */
  markInUse(readTimeout: number): void {
    this.uses++;
    this.#readTimeout = readTimeout;
    this.#transitor.transition('in_use');
    // A socket detached from a BufferedSocket comes back paused; hand it out
    // in the same read state as a fresh one, so attaching 'data' starts the flow.
    if (this.socket.readableFlowing === false) {
      (this.socket as { readableFlowing: boolean | null }).readableFlowing = null;
    }
  }

  /** @internal Put in the pool. */
  markPooled(): void {
    this.pooledAt = Date.now();
    this.#awaitingSince = 0;
    this.disarm();
    this.#readTimeout = Number.POSITIVE_INFINITY;
    // Anything arriving from now on is unsolicited; keep it in the socket's
    // buffer (where the pool's check sees it) rather than in a stale listener.
    this.socket.pause();
    this.#transitor.transition('pooled');
  }

  private instrument(): void {
    const socket = this.socket;
    const push = socket.push;
    socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (chunk === null) this.onEnd();
      else this.onChunk(chunk as Uint8Array | string);
      return push.call(socket, chunk, encoding);
    };
    const write = socket.write as (...args: unknown[]) => boolean;
    socket.write = ((...args: unknown[]) => {
      this.onWrite(args[0], args[1]);
      return write.apply(socket, args);
    }) as WriteFn;
    const end = socket.end as (...args: unknown[]) => Socket;
    socket.end = ((...args: unknown[]) => {
      if (args[0] !== undefined && args[0] !== null && typeof args[0] !== 'function') {
        this.onWrite(args[0], args[1]);
      }
      return end.apply(socket, args);
    }) as EndFn;
    socket.on('error', (error) => this.#owner.socketError(this, error));
    socket.once('close', () => {
      if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
      this.#transitor.transition('closed');
      this.#transitor.close();
      this.#owner.socketClosed(this);
    });
  }

  private onChunk(chunk: Uint8Array | string): void {
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    this.bytesIn += size;
    this.recvCount++;
    this.#model.recvSize.add(size);
    this.#recent?.addTraffic(this.peer, 'in', chunk);
    if (this.#awaitingSince !== 0) {
      this.#model.recvDuration.end(this.#awaitingSince);
      this.#awaitingSince = 0;
      this.disarm();
    }
    if (this.state === 'pooled') {
      this.#unsolicited = true;
      this.#owner.unsolicited(this, 'data');
    }
  }

  private onEnd(): void {
    if (this.state === 'pooled') {
      this.#unsolicited = true;
      this.#owner.unsolicited(this, 'end');
    }
  }

  private onWrite(chunk: unknown, encoding: unknown): void {
    let size = 0;
    if (typeof chunk === 'string') {
      size = Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      size = chunk.byteLength;
    }
    if (size === 0) return;
    this.bytesOut += size;
    this.#model.sendSize.add(size);
    this.#recent?.addTraffic(this.peer, 'out', chunk as Uint8Array | string);
    if (this.#awaitingSince === 0) {
      this.#awaitingSince = nanotime();
      if (this.#readTimeout !== Number.POSITIVE_INFINITY && !this.#deadlineArmed) this.arm();
    }
  }

  /**
   * Arms the read deadline. Disarming only clears a flag; the timer, when it
   * fires, checks the flag and how long the current wait has lasted, and
   * sleeps again for the rest if it was re-armed since.
   */
  private arm(): void {
    this.#deadlineArmed = true;
    this.#armedAt = performance.now();
    if (this.#deadlineTimer !== undefined && this.#timerDelay === this.#readTimeout) {
      this.#deadlineTimer.refresh();
    } else {
      this.schedule(this.#readTimeout);
    }
  }

  private disarm(): void {
    this.#deadlineArmed = false;
  }

  private onDeadline(): void {
    if (!this.#deadlineArmed || this.socket.destroyed) return;
    const left = this.#readTimeout - (performance.now() - this.#armedAt);
    if (left > 1) {
      // Re-armed after the timer started: wait for the rest.
      this.schedule(left);
      return;
    }
    this.socket.destroy(new ReadTimeoutError(this.peer, this.#readTimeout));
  }

  private schedule(ms: number): void {
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#timerDelay = ms;
    this.#deadlineTimer = setTimeout(() => this.onDeadline(), ms);
    this.#deadlineTimer.unref();
  }
}

import type { MonitoredSocket } from './monitored-socket.js';

/** Status of the idle sockets of one pool key, for meta pages. */
export interface PoolStatus {
  /** `kind|tls|host:port`. */
  key: string;
  address: string;
  kind: string;
  tls: boolean;
  idle: number;
  /** Milliseconds each idle socket has been waiting, newest first. */
  ages: number[];
}

/** Why an idle socket left the pool without being reused. */
export type DiscardReason =
  | 'idle'
  | 'cap'
  | 'make-room'
  | 'closed'
  | 'unsolicited'
  | 'not-reusable';

/**
 * Idle sockets per key, LIFO: the most recently released socket is reused
 * first (it is the warmest, and the old ones age out). The oldest sit at
 * the bottom of each stack, where culling takes them from.
 */
export class SocketPool {
  private readonly stacks = new Map<string, MonitoredSocket[]>();
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { idleTimeout: number; maxPerAddress: number; maxSockets: number },
    private readonly discard: (sock: MonitoredSocket, reason: DiscardReason) => void,
  ) {}

  /** Idle sockets in all. */
  get size(): number {
    return this.count;
  }

  /** The newest reusable idle socket for `key`; dead ones met on the way are discarded. */
  take(key: string): MonitoredSocket | undefined {
    const stack = this.stacks.get(key);
    if (stack === undefined) return undefined;
    let found: MonitoredSocket | undefined;
    while (found === undefined && stack.length > 0) {
      const sock = stack.pop()!;
      this.count--;
      if (sock.reusable) found = sock;
      else this.discard(sock, 'not-reusable');
    }
    if (stack.length === 0) this.stacks.delete(key);
    this.updateTimer();
    return found;
  }

  /** Adds an idle socket, closing the oldest ones beyond the caps. False if it was not kept. */
  put(sock: MonitoredSocket): boolean {
    if (this.options.maxPerAddress === 0 || this.options.maxSockets === 0) {
      this.discard(sock, 'cap');
      return false;
    }
    let stack = this.stacks.get(sock.poolKey);
    if (stack === undefined) this.stacks.set(sock.poolKey, (stack = []));
    stack.push(sock);
    this.count++;
    while (stack.length > this.options.maxPerAddress) this.discard(this.removeAt(stack, 0), 'cap');
    while (this.count > this.options.maxSockets) this.cullOldest('cap');
    this.updateTimer();
    return true;
  }

  /** Takes `sock` out if it is pooled (it closed, or is being discarded). */
  remove(sock: MonitoredSocket): boolean {
    const stack = this.stacks.get(sock.poolKey);
    if (stack === undefined) return false;
    const at = stack.indexOf(sock);
    if (at === -1) return false;
    this.removeAt(stack, at);
    if (stack.length === 0) this.stacks.delete(sock.poolKey);
    this.updateTimer();
    return true;
  }

  /** Closes the oldest idle socket anywhere; false when the pool is empty. */
  cullOldest(reason: DiscardReason = 'make-room'): boolean {
    let oldestKey: string | undefined;
    let oldestAt = Number.POSITIVE_INFINITY;
    for (const [key, stack] of this.stacks) {
      const bottom = stack[0];
      if (bottom !== undefined && bottom.pooledAt < oldestAt) {
        oldestAt = bottom.pooledAt;
        oldestKey = key;
      }
    }
    if (oldestKey === undefined) return false;
    const stack = this.stacks.get(oldestKey)!;
    this.discard(this.removeAt(stack, 0), reason);
    if (stack.length === 0) this.stacks.delete(oldestKey);
    this.updateTimer();
    return true;
  }

  /** Closes idle sockets older than `idleTimeout`. */
  cullIdle(now = Date.now()): number {
    let culled = 0;
    for (const [key, stack] of this.stacks) {
      while (stack.length > 0 && now - stack[0]!.pooledAt >= this.options.idleTimeout) {
        this.discard(this.removeAt(stack, 0), 'idle');
        culled++;
      }
      if (stack.length === 0) this.stacks.delete(key);
    }
    this.updateTimer();
    return culled;
  }

  /** Every idle socket, oldest first per key. */
  sockets(): MonitoredSocket[] {
    return [...this.stacks.values()].flat();
  }

  /** Closes every idle socket and stops the timer. */
  clear(): void {
    for (const stack of this.stacks.values()) {
      for (const sock of stack) this.discard(sock, 'closed');
    }
    this.stacks.clear();
    this.count = 0;
    this.stopTimer();
  }

  status(now = Date.now()): PoolStatus[] {
    return [...this.stacks].map(([key, stack]) => {
      const first = stack[0]!;
      return {
        key,
        address: first.peer,
        kind: first.kind,
        tls: first.tls,
        idle: stack.length,
        ages: stack.map((s) => now - s.pooledAt).reverse(),
      };
    });
  }

  private removeAt(stack: MonitoredSocket[], at: number): MonitoredSocket {
    const [sock] = stack.splice(at, 1);
    this.count--;
    return sock!;
  }

  /**
   * The culling timer runs (unref'd) only while something is pooled. It is
   * started on demand and stops itself on a tick that finds the pool empty,
   * so a take/put cycle per request does not create and clear a timer each time.
   */
  private updateTimer(): void {
    if (this.count > 0 && this.timer === undefined) {
      const every = Math.max(10, Math.floor(this.options.idleTimeout / 2));
      this.timer = setInterval(() => this.tick(), every);
      this.timer.unref();
    }
  }

  private tick(): void {
    this.cullIdle();
    if (this.count === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

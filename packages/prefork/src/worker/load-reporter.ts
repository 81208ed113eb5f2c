import type { Load } from '../protocol.js';

/**
 * Load reports that change no dispatch decision go at most this often (ms).
 * A report is JSON over IPC, parsed in the arbiter: sent every loop turn under
 * keep-alive load it cost the workers and the arbiter ~40% of hello-world
 * throughput on 2 cores.
 */
export const REPORT_INTERVAL_MS = 5;

/**
 * Decides when a worker tells the arbiter its load. A count crossing
 * `maxClients` (the worker fills up, or has room again, which lets the
 * arbiter hand it queued connections) goes at the end of this loop turn.
 * Other changes (requests starting and ending on kept-alive connections,
 * many per turn under load) go at the end of this turn too when the last
 * report is older than `interval`, else coalesced into one report when it
 * is. A load equal to the last one sent is not sent again. Between reports
 * the arbiter adds the hand-offs the worker has not acknowledged yet to its
 * count, so it never under-counts a worker's connections.
 */
export class LoadReporter {
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private sent: Load = { conns: 0, reqs: 0, ack: 0 };
  private sentAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly current: () => Load,
    private readonly send: (load: Load) => void,
    private readonly maxClients: number,
    private readonly interval = REPORT_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The load changed. */
  changed(): void {
    if (this.scheduled || this.closed) return;
    const wait = this.crossesLimit() ? 0 : this.sentAt + this.interval - this.now();
    if (wait <= 0) {
      this.scheduled = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => this.flush());
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.scheduled) this.flush();
      }, wait);
      this.timer.unref();
    }
  }

  /** `load` went to the arbiter by other means (a heartbeat carries it). */
  noteSent(load: Load): void {
    this.sent = load;
    this.sentAt = this.now();
  }

  /** Sends nothing more; clears the pending timer. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private crossesLimit(): boolean {
    const max = this.maxClients;
    const load = this.current();
    const full = load.conns >= max || load.reqs >= max;
    const wasFull = this.sent.conns >= max || this.sent.reqs >= max;
    return full !== wasFull;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    const load = this.current();
    const last = this.sent;
    if (load.conns === last.conns && load.reqs === last.reqs && load.ack === last.ack) return;
    this.noteSent(load);
    this.send(load);
  }
}

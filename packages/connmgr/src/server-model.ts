import type { Context } from '@support/context';
import type { Duration, Stats } from '@support/faststat';
import type { Address } from './address.js';

/** What the manager knows about one address, for decisions and for status. */
export interface ServerStatus {
  /** `host:port`. */
  address: string;
  /** Sockets open to it: connecting, in use or idle in the pool. */
  active: number;
  /** Sockets handed out and not yet released. */
  inUse: number;
  /** Connections made (attempts that succeeded). */
  connects: number;
  /** Attempts that failed. */
  failures: number;
  /** Failures since the last success. */
  consecutiveFailures: number;
  /** The most recent error (failed attempt, or an error on an open socket). */
  lastError?: { code?: string; message: string; at: number };
  /** Whether calls skip it now. */
  markedDown: boolean;
  /** Wall-clock ms when the markdown ends (0 when not marked down). */
  markedDownUntil: number;
}

/**
 * Per-address state and the stats objects its sockets report into (looked
 * up once per address, not once per chunk).
 */
export class ServerModel {
  active = 0;
  inUse = 0;
  connects = 0;
  failures = 0;
  consecutiveFailures = 0;
  lastError: unknown;
  lastErrorAt = 0;
  markedDownUntil = 0;
  readonly connectDuration: Duration;
  readonly recvDuration: Duration;
  readonly recvSize: Stats;
  readonly sendSize: Stats;

  constructor(
    readonly key: string,
    readonly address: Address,
    context: Context,
  ) {
    this.connectDuration = context.durations.get(`connmgr.connect.${key}`);
    this.recvDuration = context.durations.get(`connmgr.recv.${key}`);
    this.recvSize = context.stats.get(`connmgr.recvSize.${key}`);
    this.sendSize = context.stats.get(`connmgr.sendSize.${key}`);
  }

  isMarkedDown(now = Date.now()): boolean {
    return this.markedDownUntil > now;
  }

  recordError(error: unknown): void {
    this.lastError = error;
    this.lastErrorAt = Date.now();
  }

  status(now = Date.now()): ServerStatus {
    const out: ServerStatus = {
      address: this.key,
      active: this.active,
      inUse: this.inUse,
      connects: this.connects,
      failures: this.failures,
      consecutiveFailures: this.consecutiveFailures,
      markedDown: this.isMarkedDown(now),
      markedDownUntil: this.isMarkedDown(now) ? this.markedDownUntil : 0,
    };
    if (this.lastError !== undefined) {
      const e = this.lastError;
      const code = (e as { code?: unknown } | null)?.code;
      out.lastError = {
        message: e instanceof Error ? e.message : String(e),
        at: this.lastErrorAt,
        ...(typeof code === 'string' ? { code } : {}),
      };
    }
    return out;
  }
}

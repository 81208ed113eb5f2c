import type { ResolvedOptions } from '../options.js';
import type { ExitCause } from './exit-cause.js';
import type { WorkerProc } from './worker-proc.js';

/** Exit causes kept per slot for status(). */
const EXIT_CAUSES_KEPT = 5;

/** A worker that lived less than this (ms) counts as dying young: the next restart backs off. */
const YOUNG_MS = 10_000;

/** One worker position (id): the worker serving it, a successor being started, restart bookkeeping. */
export class Slot {
  active: WorkerProc | undefined;
  successor: WorkerProc | undefined;
  restarts = 0;
  /** Consecutive deaths before ready. */
  startFailures = 0;
  /** Consecutive young deaths (for the backoff). */
  youngDeaths = 0;
  /** When the serving worker died unplanned; cleared when a replacement is ready. */
  diedAt: number | undefined;
  readonly exitCauses: ExitCause[] = [];
  private respawn: NodeJS.Timeout | undefined;

  constructor(readonly id: number) {}

  recordExit(cause: ExitCause): void {
    this.exitCauses.push(cause);
    if (this.exitCauses.length > EXIT_CAUSES_KEPT) this.exitCauses.shift();
  }

  /** 0 for a first death; then backoffInitial doubling per consecutive young death, capped at backoffMax. */
  nextDelay(cause: ExitCause, o: ResolvedOptions): number {
    if (cause.uptimeMs < YOUNG_MS || !cause.wasReady) this.youngDeaths++;
    else this.youngDeaths = 1;
    if (this.youngDeaths <= 1) return 0;
    return Math.min(o.backoffMax, o.backoffInitial * 2 ** (this.youngDeaths - 2));
  }

  scheduleRespawn(delay: number, fn: () => void): void {
    this.cancelRespawn();
    this.respawn = setTimeout(() => {
      this.respawn = undefined;
      fn();
    }, delay);
    this.respawn.unref();
  }

  cancelRespawn(): void {
    clearTimeout(this.respawn);
    this.respawn = undefined;
  }
}

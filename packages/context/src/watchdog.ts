import { performance } from 'node:perf_hooks';
import { isMainThread, Worker } from 'node:worker_threads';
import { WATCHDOG_WORKER_SOURCE } from './watchdog-worker.js';

/** One frame of the main thread's JavaScript stack (1-based line and column). */
export interface StackFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** What the watchdog saw of one long block; wall-clock milliseconds since the epoch. */
export interface LongBlockReport {
  /** Last heartbeat before the block (the block began at most one heartbeat period later). */
  start: number;
  /** First heartbeat after the block. */
  end: number;
  /** `end - start`: an upper bound on the block's length, within one heartbeat period. */
  durationMs: number;
  /** When the worker noticed the block. */
  detectedAt: number;
  /** When the stack was in hand, if one was taken. */
  capturedAt: number | null;
  /** Time the capture took (enable, pause, resume), if one was taken. */
  captureMs: number | null;
  /** The main thread's stack during the block, innermost first, or null (see `error`). */
  frames: StackFrame[] | null;
  /** Why there is no stack: `rate-limited`, native code, not the main thread, … */
  error: string | null;
}

export interface WatchdogOptions {
  /** Milliseconds of blocking that count as a long block. */
  threshold: number;
  /** At most one stack capture per this many milliseconds; later blocks are still counted. */
  reportInterval: number;
  /** Milliseconds to wait for the main thread to pause before giving up on the stack. */
  captureTimeout: number;
  /** Frames kept per stack. */
  maxFrames: number;
  onReport(report: LongBlockReport): void;
  onError(error: unknown): void;
}

/**
 * Watches the event loop from a worker thread: the main thread writes a
 * heartbeat into shared memory every `threshold / 5` ms; the worker checks it
 * every `threshold / 3` ms (thread wake-ups are the watchdog's main cost) and, past the threshold, captures the main
 * thread's JavaScript stack. The report reaches `onReport` once the loop is
 * free again.
 */
export class Watchdog {
  /** Heartbeat period in ms. */
  readonly beatPeriod: number;
  private readonly beat = new Float64Array(new SharedArrayBuffer(8));
  private readonly heartbeat: NodeJS.Timeout;
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;
  /** Whether stacks can be captured (the inspector exists and this is the main thread). */
  captureStacks = isMainThread;

  constructor(readonly options: WatchdogOptions) {
    this.beatPeriod = Math.max(2, options.threshold / 5);
    this.beat[0] = now();
    this.heartbeat = setInterval(() => {
      this.beat[0] = now();
    }, this.beatPeriod);
    this.heartbeat.unref();
    this.worker = new Worker(WATCHDOG_WORKER_SOURCE, {
      eval: true,
      workerData: {
        buffer: this.beat.buffer,
        threshold: options.threshold,
        beatPeriod: this.beatPeriod,
        checkPeriod: Math.max(2, options.threshold / 3),
        reportInterval: options.reportInterval,
        captureTimeout: options.captureTimeout,
        maxFrames: options.maxFrames,
        // From a worker thread, connectToMainThread would reach the process's
        // main thread, not the one this context watches; report without stacks.
        captureStacks: isMainThread,
      },
      stdout: false,
      stderr: false,
      // The worker only reads a number and talks to the inspector.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    this.worker.on('message', (message: { type: string } & Partial<LongBlockReport>) => {
      if (message.type === 'ready') {
        this.captureStacks = (message as { captureStacks?: boolean }).captureStacks === true;
      } else if (message.type === 'long-block') {
        const { type: _type, ...rest } = message;
        const report = rest as Omit<LongBlockReport, 'durationMs'>;
        options.onReport({ ...report, durationMs: report.end - report.start });
      }
    });
    this.worker.on('error', (error) => options.onError(error));
    // After the listeners: adding a 'message' listener refs the port again.
    this.worker.unref();
  }

  /**
   * Stops the heartbeat and the worker. The worker first disables its
   * debugger session (so no pause can be left pending), then exits; after
   * `timeoutMs` it is terminated regardless.
   */
  close(timeoutMs = 1000): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.heartbeat);
      // Hold the process open until the thread is gone, so that an awaited
      // close() settles instead of the loop running dry underneath it.
      this.worker.ref();
      let timer: NodeJS.Timeout | undefined;
      let onMessage: ((m: { type?: string }) => void) | undefined;
      try {
        await new Promise<void>((resolve) => {
          onMessage = (m) => {
            if (m?.type === 'stopped') resolve();
          };
          this.worker.on('message', onMessage);
          this.worker.once('exit', () => resolve());
          timer = setTimeout(resolve, timeoutMs);
          try {
            this.worker.postMessage('stop');
          } catch {
            resolve();
          }
        });
      } finally {
        clearTimeout(timer);
        if (onMessage) this.worker.off('message', onMessage);
        await this.worker.terminate();
      }
    })();
    return this.stopping;
  }
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

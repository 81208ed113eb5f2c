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
 * Shared memory between the main thread and the watchdog's worker: two
 * float64 (the last heartbeat, ms since the epoch; the heartbeat period, ms)
 * then two int32 (control: run, stop, exit; whether the worker holds an
 * inspector session).
 */
const BEAT = 0;
const PERIOD = 1;
const CONTROL = 0;
const SESSION = 1;
const STOP = 1;
const EXIT = 2;

/** Longest the main thread waits, at exit, for the worker to end a session it holds. */
const EXIT_WAIT_MS = 200;

/**
 * Watches the event loop from a worker thread: the main thread writes a
 * heartbeat into shared memory, from its own unref'd timer every
 * `threshold / 2` ms or from another timer that already runs (the loop
 * monitor's, see {@link Watchdog.shareBeat}); the worker sleeps in
 * `Atomics.wait` until a block could need attention and, past the threshold,
 * captures the main thread's JavaScript stack. The report reaches `onReport`
 * once the loop is free again.
 */
export class Watchdog {
  private readonly shared = new SharedArrayBuffer(24);
  private readonly f64 = new Float64Array(this.shared, 0, 2);
  private readonly i32 = new Int32Array(this.shared, 16, 2);
  private readonly ownPeriod: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;
  /** Whether stacks can be captured (the inspector exists and this is the main thread). */
  captureStacks = isMainThread;

  constructor(readonly options: WatchdogOptions) {
    this.ownPeriod = Math.max(2, options.threshold / 2);
    this.f64[BEAT] = now();
    this.f64[PERIOD] = this.ownPeriod;
    this.startOwnBeat();
    this.worker = new Worker(WATCHDOG_WORKER_SOURCE, {
      eval: true,
      workerData: {
        buffer: this.shared,
        threshold: options.threshold,
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
    process.on('exit', this.onExit);
  }

  /** Heartbeat period in ms: the longest a healthy loop leaves between two beats. */
  get beatPeriod(): number {
    return this.f64[PERIOD] as number;
  }

  /** Records that the loop is running now. Call it only from a timer or I/O callback. */
  beat(): void {
    this.f64[BEAT] = now();
  }

  /**
   * Lets a timer that already runs on this thread every `periodMs` carry the
   * heartbeat by calling {@link beat} (one wake-up instead of two), and stops
   * the watchdog's own timer; `undefined` starts the own timer again.
   */
  shareBeat(periodMs: number | undefined): void {
    if (this.stopping !== undefined) return;
    if (periodMs === undefined) {
      this.beat();
      this.f64[PERIOD] = this.ownPeriod;
      this.startOwnBeat();
    } else {
      // The longer period first, so the worker never expects a beat too soon.
      this.f64[PERIOD] = Math.max(periodMs, this.f64[PERIOD] as number);
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.beat();
      this.f64[PERIOD] = periodMs;
    }
  }

  /**
   * Stops the heartbeat and the worker. The worker ends its inspector
   * session if it holds one, then says so; after `timeoutMs` it is
   * terminated regardless.
   */
  close(timeoutMs = 1000): Promise<void> {
    this.stopping ??= (async () => {
      process.off('exit', this.onExit);
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
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
          Atomics.store(this.i32, CONTROL, STOP);
          Atomics.notify(this.i32, CONTROL);
        });
      } finally {
        clearTimeout(timer);
        if (onMessage) this.worker.off('message', onMessage);
        await this.worker.terminate();
      }
    })();
    return this.stopping;
  }

  /**
   * On process exit (process.exit(), an uncaught exception, the loop running
   * dry) the worker is told to stop. If it holds an inspector session — only
   * during a capture — the exit waits up to {@link EXIT_WAIT_MS} for the
   * worker to end it, so Node neither waits for a debugger nor drops the
   * session while the worker exits.
   */
  private readonly onExit = (): void => {
    clearInterval(this.heartbeat);
    Atomics.store(this.i32, CONTROL, EXIT);
    Atomics.notify(this.i32, CONTROL);
    if (Atomics.load(this.i32, SESSION) !== 0) Atomics.wait(this.i32, SESSION, 1, EXIT_WAIT_MS);
  };

  private startOwnBeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => this.beat(), this.ownPeriod);
    this.heartbeat.unref();
  }
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

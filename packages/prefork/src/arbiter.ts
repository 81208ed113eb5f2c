import { Context, getContext, type Logger } from '@support/context';
import { workerExitChannel, workerKillChannel, workerReadyChannel } from './arbiter/diagnostics.js';
import { Dispatcher } from './arbiter/dispatcher.js';
import { describeExit, type ExitCause } from './arbiter/exit-cause.js';
import { Slot } from './arbiter/slot.js';
import { announceUpgradeReady, spawnSuccessor } from './arbiter/upgrade.js';
import { type WorkerEvents, WorkerProc } from './arbiter/worker-proc.js';
import { isWorker, takeInheritedFds, workerId } from './env.js';
import { codes, PreforkError } from './errors.js';
import { type ArbiterOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { WorkerRuntime } from './worker/runtime.js';

/** Stats the arbiter records in its Context besides the dispatch ones (all under `prefork.`). */
export const ARBITER_STATS = {
  /** Workers forked (count). */
  forks: 'prefork.workers.forks',
  /** Workers replaced after dying or being killed (count). */
  restarts: 'prefork.workers.restarts',
  /** Prefix of exit counts by kind: `prefork.workers.exit.exit|signal|oom`. */
  exitPrefix: 'prefork.workers.exit.',
  /** Milliseconds from fork to ready. */
  startMs: 'prefork.workers.startMs',
  /** Milliseconds from an unplanned death to its replacement being ready. */
  replaceMs: 'prefork.workers.replaceMs',
  /** Workers killed for silence (count). */
  heartbeatTimeouts: 'prefork.workers.heartbeatTimeouts',
  /** Graceful cycles for limits (memory, fds, maxRequests) (count). */
  cycles: 'prefork.workers.cycles',
} as const;

/** Window (ms) over which heartbeat timeouts count towards "most workers are wedging". */
const WEDGE_WINDOW_MS = 60_000;

type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface ReloadResult {
  replaced: number;
  failed: number;
}

/**
 * The arbiter: in the primary it owns the listening sockets, forks the
 * workers, dispatches connections, watches health and limits, and handles
 * signals; in a worker process (same script) `run()` runs `options.worker`.
 */
export class Arbiter {
  readonly kind = 'arbiter';
  readonly options: ResolvedOptions;
  private readonly ownContext: boolean;
  private readonly arbiterContext: Context;
  private readonly logger: Logger;
  private readonly slots: Slot[] = [];
  private readonly all = new Set<WorkerProc>();
  private readonly readyWaiters = new Map<WorkerProc, (ready: boolean) => void>();
  private dispatcher: Dispatcher | undefined;
  private phase: Phase = 'idle';
  private startedAt: number | undefined;
  private tick: NodeJS.Timeout | undefined;
  private unregister: (() => void) | undefined;
  private signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  private wedges: number[] = [];
  private lastWedgeWarning = 0;
  private fatal: PreforkError | undefined;
  private stopping: Promise<void> | undefined;
  private stoppedResolve!: () => void;
  private stoppedReject!: (error: unknown) => void;
  private readonly stopped: Promise<void>;
  private reloading: Promise<ReloadResult> | undefined;
  private upgrading: Promise<boolean> | undefined;
  private runtime: WorkerRuntime | undefined;
  private startWaiter: (() => void) | undefined;
  private readonly startedPromise: Promise<void>;
  private startedResolve!: () => void;
  private startedReject!: (error: unknown) => void;

  constructor(options: ArbiterOptions) {
    const given = options as unknown as { context?: Context };
    const config = (given?.context ?? getContext()).config;
    this.options = resolveOptions(options, config);
    this.ownContext = this.options.context === undefined;
    this.arbiterContext =
      this.options.context ??
      (isWorker() ? getContext() : new Context({ watchdog: false, monitoring: false }));
    this.logger = this.context.log.get('prefork');
    this.stopped = new Promise((resolve, reject) => {
      this.stoppedResolve = resolve;
      this.stoppedReject = reject;
    });
    this.stopped.catch(() => {});
    this.startedPromise = new Promise((resolve, reject) => {
      this.startedResolve = resolve;
      this.startedReject = reject;
    });
    this.startedPromise.catch(() => {});
  }

  /** The arbiter's Context in the primary; in a worker, once run() started it, the worker's (`w.context`). */
  get context(): Context {
    return this.runtime?.context ?? this.arbiterContext;
  }

  /**
   * In the primary: starts the workers and supervises until stopped (by
   * stop(), SIGTERM/SIGINT or a hot upgrade, also while starting); rejects
   * when workers cannot start. In a worker: runs `options.worker(w)` and resolves once it is ready.
   */
  async run(): Promise<void> {
    if (isWorker()) {
      this.options.postFork?.();
      this.runtime = new WorkerRuntime(workerId() as number, this.options);
      await this.runtime.run();
      return;
    }
    if (this.options.signals) this.installSignals();
    try {
      await this.start();
    } catch (error) {
      this.removeSignals();
      // Stopped (SIGTERM, stop()) before every worker was ready: the end
      // run() waits for, not a failure, so Ctrl-C at startup prints nothing.
      if (this.fatal === undefined && this.stopping !== undefined) return this.stopped;
      throw error;
    }
    return this.stopped;
  }

  /**
   * Resolves once every worker is ready (after start(), or run() in the
   * arbiter); rejects with start()'s error when starting failed. Lets code
   * that calls run() (to get the signal handlers) know when it serves.
   */
  started(): Promise<void> {
    return this.startedPromise;
  }

  /** Primary only: opens the sockets and starts every worker; resolves once all are ready. */
  async start(): Promise<void> {
    this.assertPrimary('start()');
    if (this.phase !== 'idle')
      throw new PreforkError(codes.CLOSED, `start(): the arbiter is ${this.phase}`);
    this.phase = 'starting';
    this.startedAt = Date.now();
    const dispatcher = new Dispatcher(this.options, this.context, () => this.all);
    this.dispatcher = dispatcher;
    const action = this.logger.info('ARBITER_START');
    try {
      await dispatcher.listen(takeInheritedFds());
    } catch (error) {
      action.exception(error);
      this.phase = 'stopped';
      this.startedReject(error);
      throw error;
    }
    // The arbiter's own loop is worth watching too; its own Context is closed by close().
    if (this.ownContext) this.context.setMonitoring(true);
    this.tick = setInterval(
      () => this.checkHealth(),
      Math.min(this.options.heartbeatInterval, 500),
    );
    this.tick.unref();
    const components = (this.context as { components?: Context['components'] }).components;
    if (components !== undefined) this.unregister = components.register('arbiter', this);
    for (let id = 0; id < this.options.workers; id++) this.slots.push(new Slot(id));
    const allReady = new Promise<boolean>((resolve) => {
      this.startWaiter = () => resolve(true);
    });
    for (const slot of this.slots) this.spawn(slot);
    const ready = await Promise.race([
      allReady,
      this.stopped.then(
        () => false,
        () => false,
      ),
    ]);
    this.startWaiter = undefined;
    if (this.fatal !== undefined || !ready) {
      const error =
        this.fatal ??
        new PreforkError(codes.CLOSED, 'start(): the arbiter was stopped while starting');
      action.exception(error);
      this.startedReject(error);
      await this.stop();
      throw error;
    }
    this.phase = 'running';
    this.startedResolve();
    action.success('{workers} workers ready', {
      workers: this.options.workers,
      listen: dispatcher.addresses(),
    });
    await announceUpgradeReady();
  }

  /** Graceful stop: stop accepting, drain every worker (force after `timeout`), release everything. */
  stop(timeout = this.options.gracefulTimeout): Promise<void> {
    if (this.phase === 'idle') {
      this.phase = 'stopped';
      this.startedReject(
        new PreforkError(codes.CLOSED, 'the arbiter was stopped before it started'),
      );
      this.stoppedResolve();
    }
    this.stopping ??= (async () => {
      this.phase = 'stopping';
      const action = this.logger.info('ARBITER_STOP');
      for (const slot of this.slots) slot.cancelRespawn();
      this.dispatcher?.stopAccepting();
      for (const w of this.all) {
        if (w.state === 'starting') w.kill('stop');
        else w.drain('stop');
      }
      const exits = Promise.all([...this.all].map((w) => w.exited));
      const force = setTimeout(() => {
        for (const w of this.all) w.kill('stop: timeout');
      }, timeout);
      force.unref();
      await exits;
      clearTimeout(force);
      clearInterval(this.tick);
      this.unregister?.();
      this.removeSignals();
      this.phase = 'stopped';
      if (this.fatal !== undefined) {
        action.failure(this.fatal.message);
        this.stoppedReject(this.fatal);
      } else {
        action.success();
        this.stoppedResolve();
      }
    })();
    return this.stopping;
  }

  /** stop(), then closes the Context if the arbiter created it. */
  async close(): Promise<void> {
    if (this.runtime !== undefined) return;
    await this.stop().catch(() => {});
    await this.stopped.catch(() => {});
    if (this.ownContext) await this.context.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Rolling reload (SIGHUP): replaces every worker, `reloadConcurrency` at a time, each replacement ready before its predecessor drains. */
  reload(): Promise<ReloadResult> {
    this.assertPrimary('reload()');
    this.reloading ??= (async () => {
      const action = this.logger.info('RELOAD');
      const result = { replaced: 0, failed: 0 };
      const slots = [...this.slots];
      for (
        let i = 0;
        i < slots.length && this.phase === 'running';
        i += this.options.reloadConcurrency
      ) {
        const batch = slots.slice(i, i + this.options.reloadConcurrency);
        const outcomes = await Promise.all(batch.map((slot) => this.replace(slot, 'reload')));
        for (const ok of outcomes) ok ? result.replaced++ : result.failed++;
        if (result.failed > 0) break;
      }
      if (result.failed > 0)
        action.failure(
          'reload stopped: a new worker did not become ready; the old ones keep serving',
          result,
        );
      else action.success('{replaced} workers replaced', result);
      return result;
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /**
   * Hot upgrade (SIGUSR2): starts a new arbiter from the script on disk with
   * the listening sockets, waits for its workers, then stops this one
   * gracefully. Resolves true when the new one took over, false on rollback.
   */
  upgrade(): Promise<boolean> {
    this.assertPrimary('upgrade()');
    this.upgrading ??= (async () => {
      const action = this.logger.warn('UPGRADE');
      if (this.phase !== 'running' || this.dispatcher === undefined) {
        action.failure('not running');
        return false;
      }
      try {
        const { pid } = await spawnSuccessor(
          this.dispatcher.fds(),
          this.options.upgradeTimeout,
          this.options.killGrace,
        );
        action.success('new arbiter pid {pid} serves; this one drains', { pid });
      } catch (error) {
        action.exception(error);
        return false;
      }
      void this.stop();
      return true;
    })().finally(() => {
      this.upgrading = undefined;
    });
    return this.upgrading;
  }

  /** Plain JSON: the arbiter, each worker, totals, dispatch and shed counts, listening sockets. */
  status(): ArbiterStatus {
    const now = Date.now();
    const workers = [...this.all]
      .sort((a, b) => a.id - b.id || a.forkedAt - b.forkedAt)
      .map((w) => {
        const slot = this.slots[w.id];
        return {
          id: w.id,
          pid: w.pid,
          state: w.state,
          uptimeMs: now - w.forkedAt,
          restarts: slot?.restarts ?? 0,
          rss: w.health.rss,
          fds: w.health.fds,
          inFlight: w.reported.reqs,
          connections: w.conns,
          queued: w.seq - w.reported.ack,
          dispatched: w.dispatched,
          served: w.health.served,
          lastHeartbeat: w.lastHeartbeat,
          exitCauses: slot?.exitCauses.slice() ?? [],
        };
      });
    const d = this.dispatcher;
    return {
      pid: process.pid,
      startedAt: this.startedAt ?? null,
      phase: this.phase,
      distribution: this.options.distribution,
      workers,
      totals: {
        workers: workers.length,
        ready: workers.filter((w) => w.state === 'ready').length,
        inFlight: workers.reduce((n, w) => n + w.inFlight, 0),
        connections: workers.reduce((n, w) => n + w.connections, 0),
        restarts: this.slots.reduce((n, s) => n + s.restarts, 0),
        heartbeatTimeouts: this.wedges.length,
      },
      dispatch: {
        ...(d?.counts ?? { accepted: 0, dispatched: 0, queued: 0, shed: 0, queueMax: 0 }),
        queueLength: d?.queueLength ?? 0,
      },
      shed: { connections: d?.counts.shed ?? 0 },
      listen: d?.addresses() ?? [],
    };
  }

  /** Each live worker's Context snapshot; a worker that does not answer within `timeout` ms gives `snapshot: null` and an error. */
  async collectSnapshots(options: { timeout?: number } = {}): Promise<WorkerSnapshot[]> {
    const timeout = options.timeout ?? 2000;
    const targets = [...this.all].filter((w) => w.state === 'ready' || w.state === 'draining');
    return Promise.all(
      targets.map(async (w) => {
        try {
          const snapshot = (await w.command(
            'snapshot',
            undefined,
            timeout,
          )) as WorkerSnapshot['snapshot'];
          return { id: w.id, pid: w.pid, snapshot };
        } catch (error) {
          return { id: w.id, pid: w.pid, snapshot: null, error: (error as Error).message };
        }
      }),
    );
  }

  /** Runs a built-in command ('snapshot', 'profile:start', 'profile:stop', 'reset-stats', 'log-level', 'heap-snapshot') in worker `id`. */
  async workerCommand(
    id: number,
    op: string,
    arg?: unknown,
    options: { timeout?: number } = {},
  ): Promise<unknown> {
    if (typeof op !== 'string')
      throw new PreforkError(codes.INVALID_OPTION, 'workerCommand(id, op): op must be a string');
    const slot = this.slots[id];
    const w =
      slot?.active?.state === 'ready'
        ? slot.active
        : [...this.all].find((x) => x.id === id && x.state !== 'exited');
    if (w === undefined) throw new PreforkError(codes.NO_WORKER, `no live worker has id ${id}`);
    return w.command(op, arg, options.timeout ?? 30_000);
  }

  // --- supervision -------------------------------------------------------

  private spawn(slot: Slot): WorkerProc {
    const w = new WorkerProc(slot.id, this.options, this.events, { ...this.context.config });
    this.all.add(w);
    this.context.stats.get(ARBITER_STATS.forks).add(1);
    if (this.options.distribution === 'kernel') this.dispatcher?.shareWith(w);
    if (slot.active === undefined || slot.active.state === 'exited') slot.active = w;
    return w;
  }

  /** Resolves true when `w` is ready, false when it exits first. */
  private whenReady(w: WorkerProc): Promise<boolean> {
    if (w.state === 'ready') return Promise.resolve(true);
    if (w.state === 'exited') return Promise.resolve(false);
    return new Promise((resolve) => this.readyWaiters.set(w, resolve));
  }

  /** Starts a successor for the slot, waits until it is ready, then drains the old worker. False if the successor failed. */
  private async replace(slot: Slot, reason: string): Promise<boolean> {
    const old = slot.active;
    if (slot.successor !== undefined) return this.whenReady(slot.successor);
    const next = new WorkerProc(slot.id, this.options, this.events, { ...this.context.config });
    this.all.add(next);
    this.context.stats.get(ARBITER_STATS.forks).add(1);
    if (this.options.distribution === 'kernel') this.dispatcher?.shareWith(next);
    slot.successor = next;
    const ok = await this.whenReady(next);
    if (slot.successor === next) slot.successor = undefined;
    if (!ok) {
      if (slot.active === undefined && this.phase === 'running') this.spawn(slot);
      this.logger
        .warn('WORKER_REPLACE', `worker ${slot.id}`)
        .failure(
          'replacement pid {pid} for {reason} failed before ready; pid {old} keeps serving',
          { pid: next.pid, reason, old: old?.pid ?? null, failure: next.failure ?? null },
        );
      return false;
    }
    slot.active = next;
    if (old !== undefined && old !== next) old.drain(reason);
    this.logger
      .info('WORKER_REPLACE', `worker ${slot.id}`)
      .success('pid {pid} replaced pid {old} ({reason})', {
        pid: next.pid,
        old: old?.pid ?? null,
        reason,
      });
    return true;
  }

  private readonly events: WorkerEvents = {
    ready: (w) => {
      this.context.durations.get(ARBITER_STATS.startMs).add(Date.now() - w.forkedAt);
      if (workerReadyChannel.hasSubscribers)
        workerReadyChannel.publish({ id: w.id, pid: w.pid, startMs: Date.now() - w.forkedAt });
      const slot = this.slots[w.id];
      if (slot !== undefined) {
        slot.startFailures = 0;
        if (slot.diedAt !== undefined) {
          this.context.durations.get(ARBITER_STATS.replaceMs).add(Date.now() - slot.diedAt);
          slot.diedAt = undefined;
        }
      }
      this.logger
        .debug('WORKER_READY', `worker ${w.id}`)
        .success('pid {pid} ready after {ms} ms', { pid: w.pid, ms: Date.now() - w.forkedAt });
      this.readyWaiters.get(w)?.(true);
      this.readyWaiters.delete(w);
      this.dispatcher?.pump();
      if (this.startWaiter !== undefined && this.slots.every((s) => s.active?.state === 'ready'))
        this.startWaiter();
    },
    load: () => {
      if (this.dispatcher !== undefined && this.dispatcher.queueLength > 0) this.dispatcher.pump();
    },
    retire: (w, reason) => {
      const slot = this.slots[w.id];
      if (
        slot === undefined ||
        slot.active !== w ||
        w.state !== 'ready' ||
        this.phase !== 'running'
      )
        return;
      if (slot.successor !== undefined) return;
      this.context.stats.get(ARBITER_STATS.cycles).add(1);
      this.logger
        .info('WORKER_CYCLE', `worker ${w.id}`)
        .success('pid {pid} retires: {reason}', { pid: w.pid, reason });
      void this.replace(slot, `cycle: ${reason}`);
    },
    exit: (w, cause) => this.onExit(w, cause),
  };

  private onExit(w: WorkerProc, cause: ExitCause): void {
    this.all.delete(w);
    this.dispatcher?.rescue(w);
    this.readyWaiters.get(w)?.(false);
    this.readyWaiters.delete(w);
    this.context.stats.get(`${ARBITER_STATS.exitPrefix}${cause.kind}`).add(1);
    if (workerExitChannel.hasSubscribers)
      workerExitChannel.publish({ id: w.id, pid: w.pid, cause });
    const slot = this.slots[w.id];
    slot?.recordExit(cause);
    const planned = cause.reason !== null && /^(stop|reload|cycle)/.test(cause.reason);
    const level = planned ? 'debug' : 'warn';
    const rec = this.logger[level]('WORKER_EXIT', `worker ${w.id}`);
    const data = {
      pid: w.pid,
      cause: describeExit(cause),
      uptimeMs: cause.uptimeMs,
      failure: w.failure ?? null,
    };
    if (planned) rec.success('pid {pid} exited: {cause}', data);
    else rec.failure('pid {pid} exited: {cause}', data);
    if (slot === undefined || this.phase === 'stopping' || this.phase === 'stopped') return;
    if (slot.successor === w) return; // a failed replacement: replace() reports it, the old one keeps serving
    if (slot.active !== w) {
      this.dispatcher?.pump();
      return;
    }
    // The serving (or starting) worker of this slot is gone unplanned: replace it.
    slot.active = undefined;
    slot.diedAt = Date.now();
    if (!cause.wasReady) slot.startFailures++;
    if (slot.startFailures >= this.options.maxStartFailures) {
      this.fatal = new PreforkError(
        codes.START_FAILED,
        `worker ${slot.id} failed ${slot.startFailures} times in a row before it was ready (last: ${describeExit(cause)}${w.failure ? `: ${w.failure.split('\n')[0]}` : ''}); the arbiter stops`,
      );
      this.logger.critical('START_FAILED').failure(this.fatal.message);
      void this.stop();
      return;
    }
    const delay = slot.nextDelay(cause, this.options);
    slot.restarts++;
    this.context.stats.get(ARBITER_STATS.restarts).add(1);
    if (slot.successor !== undefined) return; // the successor being started takes the slot when ready
    slot.scheduleRespawn(delay, () => {
      if (this.phase === 'running' || this.phase === 'starting') this.spawn(slot);
    });
  }

  private checkHealth(): void {
    const now = Date.now();
    const o = this.options;
    for (const w of this.all) {
      if (w.state === 'starting' && now - w.forkedAt > o.startTimeout) {
        this.logger
          .warn('WORKER_KILL', `worker ${w.id}`)
          .failure('pid {pid} not ready within startTimeout {ms} ms', {
            pid: w.pid,
            ms: o.startTimeout,
          });
        this.killWorker(w, 'start-timeout');
      } else if (
        (w.state === 'ready' || w.state === 'draining') &&
        now - w.lastHeartbeat > o.heartbeatTimeout
      ) {
        this.context.stats.get(ARBITER_STATS.heartbeatTimeouts).add(1);
        this.logger
          .warn('WORKER_KILL', `worker ${w.id}`)
          .failure('pid {pid} silent for {ms} ms (heartbeatTimeout {limit} ms): wedged', {
            pid: w.pid,
            ms: now - w.lastHeartbeat,
            limit: o.heartbeatTimeout,
          });
        this.killWorker(w, 'heartbeat');
        this.wedged(now);
      }
    }
  }

  private killWorker(w: WorkerProc, reason: string): void {
    if (workerKillChannel.hasSubscribers)
      workerKillChannel.publish({ id: w.id, pid: w.pid, reason });
    w.kill(reason);
  }

  private wedged(now: number): void {
    this.wedges.push(now);
    this.wedges = this.wedges.filter((t) => now - t <= WEDGE_WINDOW_MS);
    const n = this.wedges.length;
    const m = this.options.workers;
    if (n >= 2 && n * 2 > m && now - this.lastWedgeWarning > WEDGE_WINDOW_MS / 6) {
      this.lastWedgeWarning = now;
      this.logger
        .critical('WEDGING')
        .failure('most workers are wedging: {n} timeouts of {m} in the last {window} s', {
          n,
          m,
          window: WEDGE_WINDOW_MS / 1000,
        });
    }
  }

  // --- signals -----------------------------------------------------------

  private installSignals(): void {
    let stopSignals = 0;
    const onStop = () => {
      stopSignals++;
      if (stopSignals === 1) void this.stop();
      else for (const w of this.all) w.kill('stop: second signal');
    };
    this.signalHandlers = [
      ['SIGTERM', onStop],
      ['SIGINT', onStop],
      ['SIGHUP', () => void this.reload()],
      ['SIGUSR2', () => void this.upgrade()],
    ];
    for (const [signal, handler] of this.signalHandlers) process.on(signal, handler);
  }

  private removeSignals(): void {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.signalHandlers = [];
  }

  private assertPrimary(what: string): void {
    if (isWorker())
      throw new PreforkError(
        codes.WRONG_PROCESS,
        `${what} is for the arbiter process, not a worker`,
      );
  }
}

export interface WorkerStatus {
  id: number;
  pid: number;
  state: string;
  uptimeMs: number;
  restarts: number;
  rss: number;
  fds: number | null;
  inFlight: number;
  connections: number;
  queued: number;
  dispatched: number;
  served: number;
  lastHeartbeat: number;
  exitCauses: ExitCause[];
}

export interface ArbiterStatus {
  pid: number;
  startedAt: number | null;
  phase: string;
  distribution: string;
  workers: WorkerStatus[];
  totals: {
    workers: number;
    ready: number;
    inFlight: number;
    connections: number;
    restarts: number;
    heartbeatTimeouts: number;
  };
  dispatch: {
    accepted: number;
    dispatched: number;
    queued: number;
    shed: number;
    queueMax: number;
    queueLength: number;
  };
  shed: { connections: number };
  listen: ReturnType<Dispatcher['addresses']>;
}

export interface WorkerSnapshot {
  id: number;
  pid: number;
  snapshot: ReturnType<Context['snapshot']> | null;
  error?: string;
}

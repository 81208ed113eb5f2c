import {
  Duration,
  Interval,
  Markov,
  Stats,
  type StatsSnapshot,
  StreamSketch,
} from '@support/faststat';
import { Components } from './components.js';
import { type ContextConfig, createConfig } from './config.js';
import { longBlockChannel } from './diagnostics.js';
import { ContextError } from './errors.js';
import type { Hotspot } from './hotspots.js';
import { Log } from './log/log.js';
import type { LogRecord } from './log/record.js';
import { Monitor } from './monitor.js';
import { type ContextOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { SamplingProfiler } from './profiler.js';
import { Recent } from './recent.js';
import { Registry, type RegistryInfo, VolatileRegistry } from './registry.js';
import { type ContextSnapshot, snapshotRegistry } from './snapshot.js';
import { timedWith } from './timed.js';
import { type LongBlockReport, Watchdog } from './watchdog.js';

/** Reports of long blocks kept for `longBlocks()` and the snapshot. */
const LONG_BLOCKS_KEPT = 16;

/** Name of the duration stat that counts long blocks (in ms). */
export const LONG_BLOCK_STAT = 'loop.longBlock';

/**
 * The one explicit place for everything a service knows about itself: stat
 * registries, recent events, the action log, configuration, and the loop
 * monitor, watchdog and profiler that watch the process. Create one per
 * service (or use {@link getContext}); `close()` it to stop its timers and
 * threads.
 */
/** Marks a Context of any copy of this package (ESM or CommonJS build); see `instanceof` below. */
const CONTEXT_BRAND = Symbol.for('@support/context:Context@1');

export class Context {
  /** `instanceof Context` holds for a Context made by either build of this package. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && CONTEXT_BRAND in value;
  }

  /** @internal */
  readonly [CONTEXT_BRAND] = true;
  /** Service configuration; assignments are validated. */
  readonly config: ContextConfig;
  /** General statistics by name. */
  readonly stats: Registry<Stats>;
  /** Durations in milliseconds by name. */
  readonly durations: Registry<Duration>;
  /** Time between events, in milliseconds, by name. */
  readonly intervals: Registry<Interval>;
  /** State machines (e.g. socket states) by name. */
  readonly markov: Registry<Markov>;
  /** Cardinality and heavy-hitter sketches by name. */
  readonly sketches: Registry<StreamSketch>;
  /** Statistics for high-cardinality names: least recently used names are dropped. */
  readonly volatileStats: VolatileRegistry<Stats>;
  /** Bounded rings of recent events per key. */
  readonly recent: Recent;
  /** The structured action log. */
  readonly log: Log;
  /** Long-lived parts (connection managers, thread pools, …) and their status, held weakly. */
  readonly components = new Components();

  private readonly options: ResolvedOptions;
  private readonly monitor: Monitor;
  private readonly profiler: SamplingProfiler;
  private watchdog: Watchdog | undefined;
  private readonly reports: LongBlockReport[] = [];
  private watchdogErrors = 0;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private readonly createdAt = Date.now();

  constructor(options?: ContextOptions) {
    const o = resolveOptions(options);
    this.options = o;
    this.config = createConfig(o.config, (key, value) => this.configChanged(key, value));
    const s = o.statsOptions;
    this.stats = new Registry(() => new Stats(s), o.maxStatNames);
    this.durations = new Registry(() => new Duration(s), o.maxStatNames);
    this.intervals = new Registry(() => new Interval(s), o.maxStatNames);
    this.markov = new Registry(
      () => new Markov(s?.clock ? { clock: s.clock } : {}),
      o.maxStatNames,
    );
    this.sketches = new Registry(() => new StreamSketch(), o.maxStatNames);
    this.volatileStats = new VolatileRegistry(() => new Stats(s), o.maxVolatileNames);
    this.recent = new Recent(o.recent);
    this.log = new Log({ level: o.logLevel, ringSize: o.logRingSize, sinks: o.sinks });
    this.monitor = new Monitor(
      {
        addStat: (name, value) => this.stats.get(name).add(value),
        addDuration: (name, ms) => this.durations.get(name).add(ms),
        beat: () => this.watchdog?.beat(),
      },
      this.config.monitorInterval,
    );
    this.profiler = new SamplingProfiler(Math.round(o.samplingInterval * 1000));
    if (o.monitoring) this.monitor.start();
    if (o.watchdog) this.startWatchdog();
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Whether the loop and process monitor is running. */
  get monitoring(): boolean {
    return this.monitor.isRunning;
  }

  /** Starts or stops the loop and process monitor. */
  setMonitoring(enabled: boolean): void {
    if (typeof enabled !== 'boolean')
      throw new TypeError('setMonitoring(enabled): enabled must be a boolean');
    if (enabled) {
      this.assertOpen('setMonitoring(true)');
      this.monitor.start();
    } else {
      this.monitor.stop();
    }
    this.shareBeat();
  }

  /** Whether the long-block watchdog is running. */
  get watching(): boolean {
    return this.watchdog !== undefined;
  }

  /** Starts or stops the long-block watchdog; the promise settles when its thread is gone. */
  async setWatchdog(enabled: boolean): Promise<void> {
    if (typeof enabled !== 'boolean')
      throw new TypeError('setWatchdog(enabled): enabled must be a boolean');
    if (enabled) {
      this.assertOpen('setWatchdog(true)');
      this.startWatchdog();
    } else {
      await this.stopWatchdog();
    }
  }

  /** Whether the sampling profiler is running. */
  get sampling(): boolean {
    return this.profiler.isSampling;
  }

  /** Starts or stops the V8 sampling profiler (every `samplingInterval` ms). */
  async setSampling(enabled: boolean): Promise<void> {
    if (typeof enabled !== 'boolean')
      throw new TypeError('setSampling(enabled): enabled must be a boolean');
    if (enabled) {
      this.assertOpen('setSampling(true)');
      await this.profiler.start();
    } else {
      await this.profiler.stop();
    }
  }

  /** Self and total time per function (with file:line) from the samples so far, most self time first. */
  hotspots(limit?: number): Promise<Hotspot[]> {
    return this.profiler.hotspots(limit);
  }

  /** Writes the latest profile segment as a `.cpuprofile` file Chrome DevTools opens. */
  saveProfile(path: string): Promise<void> {
    return this.profiler.saveProfile(path);
  }

  /** Takes one monitor sample now (what the monitor's timer does every interval). */
  sampleNow(): void {
    this.monitor.tick();
  }

  /** The most recent long-block reports, oldest first. */
  longBlocks(): LongBlockReport[] {
    return this.reports.slice();
  }

  /** Forgets every name in every stat registry, and their overflow counters. */
  resetStats(): void {
    this.stats.clear();
    this.durations.clear();
    this.intervals.clear();
    this.markov.clear();
    this.sketches.clear();
    this.volatileStats.clear();
  }

  /** Stops recording recent events and frees the rings (for memory-tight services). */
  disableRecent(): void {
    this.recent.disable();
  }

  /**
   * Wraps `fn` (sync or async) so each call's duration, including a throw or
   * rejection, is recorded in `durations` under `name` (default `fn.name`).
   */
  timed<A extends unknown[], R>(fn: (...args: A) => R, name?: string): (...args: A) => R {
    return timedWith(() => this, fn, name);
  }

  /** A JSON view of everything this context holds; stats are faststat snapshots. */
  snapshot(): ContextSnapshot {
    return {
      version: 1,
      pid: process.pid,
      time: Date.now(),
      createdAt: this.createdAt,
      config: { ...this.config },
      stats: snapshotRegistry(this.stats) as Record<string, StatsSnapshot>,
      durations: snapshotRegistry(this.durations) as Record<string, StatsSnapshot>,
      intervals: snapshotRegistry(this.intervals) as Record<string, StatsSnapshot>,
      markov: snapshotRegistry(this.markov),
      sketches: snapshotRegistry(this.sketches),
      volatileStats: snapshotRegistry(this.volatileStats) as Record<string, StatsSnapshot>,
      registries: {
        stats: this.stats.info(),
        durations: this.durations.info(),
        intervals: this.intervals.info(),
        markov: this.markov.info(),
        sketches: this.sketches.info(),
        volatileStats: this.volatileStats.info(),
      } satisfies Record<string, RegistryInfo>,
      recent: { ...this.recent.info(), events: this.recent.toJSON() },
      log: { ...this.log.info(), level: this.log.level, ring: this.log.ring.records() },
      monitor: { running: this.monitor.isRunning, samples: this.monitor.samples },
      watchdog: {
        running: this.watchdog !== undefined,
        captureStacks: this.watchdog?.captureStacks ?? false,
        errors: this.watchdogErrors,
        longBlocks: this.reports.slice(),
      },
      profiler: { sampling: this.profiler.isSampling },
      components: this.components.list(),
      componentRegistry: this.components.info(),
    };
  }

  /**
   * Stops the monitor, the watchdog thread, the profiler and every timer,
   * and closes the sinks. Afterwards nothing of this context keeps the
   * process alive. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.isClosed = true;
      this.monitor.stop();
      try {
        await Promise.all([this.stopWatchdog(), this.profiler.stop()]);
      } finally {
        this.log.close();
      }
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal Records one finished action from outside a logger (e.g. the watchdog). */
  private emit(record: LogRecord): void {
    this.log.emit(record);
  }

  private configChanged(key: keyof ContextConfig, value: number): void {
    if (key === 'monitorInterval') {
      this.monitor.setInterval(value);
      this.shareBeat();
    }
    if (key === 'longBlockThreshold' && this.watchdog !== undefined) {
      // Restart with the new threshold; the old thread winds down on its own.
      const old = this.watchdog;
      this.watchdog = undefined;
      old.close().catch(() => this.watchdogErrors++);
      this.startWatchdog();
    }
  }

  private startWatchdog(): void {
    if (this.watchdog !== undefined) return;
    this.watchdog = new Watchdog({
      threshold: this.config.longBlockThreshold,
      reportInterval: this.options.longBlockReportInterval,
      captureTimeout: this.options.watchdogCaptureTimeout,
      maxFrames: this.options.maxStackFrames,
      onReport: (report) => this.longBlock(report),
      onError: () => this.watchdogErrors++,
    });
    this.shareBeat();
  }

  /**
   * While the monitor runs at an interval no longer than the long-block
   * threshold, its timer carries the watchdog's heartbeat: one wake-up of the
   * main thread instead of two.
   */
  private shareBeat(): void {
    const interval = this.config.monitorInterval;
    const shared = this.monitor.isRunning && interval <= this.config.longBlockThreshold;
    this.watchdog?.shareBeat(shared ? interval : undefined);
  }

  private async stopWatchdog(): Promise<void> {
    const watchdog = this.watchdog;
    this.watchdog = undefined;
    await watchdog?.close();
  }

  private longBlock(report: LongBlockReport): void {
    if (this.reports.length >= LONG_BLOCKS_KEPT) this.reports.shift();
    this.reports.push(report);
    this.durations.get(LONG_BLOCK_STAT).add(report.durationMs);
    const top = report.frames?.[0];
    const where = top
      ? `${top.functionName || '(anonymous)'} (${top.url}:${top.lineNumber})`
      : undefined;
    const durationMs = Math.round(report.durationMs);
    const record: LogRecord = {
      logger: 'context',
      level: 'warn',
      action: 'LONG_BLOCK',
      outcome: 'failure',
      message: where
        ? `event loop blocked for ~${durationMs} ms in ${where}`
        : `event loop blocked for ~${durationMs} ms (no stack: ${report.error ?? 'unknown'})`,
      begin: report.start,
      end: report.end,
      durationMs: report.durationMs,
      data: {
        stack:
          report.frames?.map(
            (f) =>
              `${f.functionName || '(anonymous)'} (${f.url}:${f.lineNumber}:${f.columnNumber})`,
          ) ?? null,
        captureLatencyMs: report.capturedAt === null ? null : report.capturedAt - report.detectedAt,
      },
    };
    if (where !== undefined) record.detail = where;
    this.emit(record);
    if (longBlockChannel.hasSubscribers) longBlockChannel.publish(report);
  }

  private assertOpen(what: string): void {
    if (this.isClosed)
      throw new ContextError('SUP_ERR_CONTEXT_CLOSED', `${what}: the context is closed`);
  }
}

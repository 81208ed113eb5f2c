import type { StatsOptions } from '@support/faststat';
import type { ContextConfig } from './config.js';
import { ContextOptionError } from './errors.js';
import { validateLevel } from './log/logger.js';
import type { Level, Sink } from './log/record.js';
import type { RecentOptions } from './recent.js';
import { boolean, knownKeys, plainObject, positiveInteger, positiveNumber } from './validate.js';

/** Options of `new Context(options)`. Every field is optional. */
export interface ContextOptions {
  /** Initial service configuration; see {@link ContextConfig} for keys and defaults. */
  config?: Partial<ContextConfig>;
  /**
   * Most names each registry (`stats`, `durations`, `intervals`, `markov`,
   * `sketches`) holds; lookups of further names share the `__overflow__`
   * entry and are counted.
   * @default 10000
   */
  maxStatNames?: number;
  /**
   * Most names `volatileStats` holds; beyond it the least recently used name is dropped.
   * @default 1000
   */
  maxVolatileNames?: number;
  /** Options for every faststat object the registries create (e.g. an injected `clock`). */
  statsOptions?: StatsOptions;
  /** Sizes of the recent-event rings. */
  recent?: RecentOptions;
  /**
   * Default level of new loggers.
   * @default 'info'
   */
  logLevel?: Level;
  /**
   * Records kept by the in-memory ring sink (`ctx.log.ring`).
   * @default 1000
   */
  logRingSize?: number;
  /**
   * Sinks besides the ring, e.g. `new HumanSink()` for stderr.
   * @default []
   */
  sinks?: Sink[];
  /**
   * Starts the loop and process monitor.
   * @default true
   */
  monitoring?: boolean;
  /**
   * Starts the long-block watchdog (a worker thread). The default context that
   * `getContext()` creates has it off, so a library never starts the thread.
   * @default true
   */
  watchdog?: boolean;
  /**
   * At most one stack capture per this many milliseconds; blocks in between
   * are still counted and reported, without a stack.
   * @default 5000
   */
  longBlockReportInterval?: number;
  /**
   * Milliseconds the watchdog waits for the main thread to pause.
   * @default 1000
   */
  watchdogCaptureTimeout?: number;
  /**
   * Frames kept per captured stack.
   * @default 32
   */
  maxStackFrames?: number;
  /**
   * Milliseconds between two samples of the sampling profiler.
   * @default 5
   */
  samplingInterval?: number;
}

export type ResolvedOptions = Required<
  Omit<ContextOptions, 'config' | 'statsOptions' | 'recent'>
> & {
  config: Partial<ContextConfig> | undefined;
  statsOptions: StatsOptions | undefined;
  recent: Required<RecentOptions>;
};

export const contextDefaults = {
  maxStatNames: 10_000,
  maxVolatileNames: 1000,
  logLevel: 'info',
  logRingSize: 1000,
  sinks: [],
  monitoring: true,
  watchdog: true,
  longBlockReportInterval: 5000,
  watchdogCaptureTimeout: 1000,
  maxStackFrames: 32,
  samplingInterval: 5,
} as const satisfies Partial<ContextOptions>;

export const recentDefaults: Required<RecentOptions> = {
  size: 32,
  maxKeys: 256,
  summaryLength: 64,
};

const KEYS = ['config', 'statsOptions', 'recent', ...Object.keys(contextDefaults)] as const;

/** Validates `options` and fills in defaults; throws a TypeError naming the bad option. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const given = options === undefined ? {} : plainObject('options', options);
  knownKeys('options', given, KEYS);
  const o = { ...contextDefaults, ...stripUndefined(given) } as ContextOptions &
    typeof contextDefaults;
  const recent = o.recent === undefined ? {} : plainObject('options.recent', o.recent);
  knownKeys('options.recent', recent, Object.keys(recentDefaults));
  const r = { ...recentDefaults, ...stripUndefined(recent) };
  if (o.statsOptions !== undefined) plainObject('options.statsOptions', o.statsOptions);
  if (!Array.isArray(o.sinks))
    throw new ContextOptionError('options.sinks', 'must be an array of sinks');
  o.sinks.forEach((sink, i) => {
    if (typeof (sink as Partial<Sink> | null)?.write !== 'function') {
      throw new ContextOptionError(`options.sinks[${i}]`, 'must have a write(record) method');
    }
  });
  return {
    config: o.config,
    statsOptions: o.statsOptions,
    recent: {
      size: positiveInteger('options.recent.size', r.size),
      maxKeys: positiveInteger('options.recent.maxKeys', r.maxKeys),
      summaryLength: positiveInteger('options.recent.summaryLength', r.summaryLength),
    },
    maxStatNames: positiveInteger('options.maxStatNames', o.maxStatNames),
    maxVolatileNames: positiveInteger('options.maxVolatileNames', o.maxVolatileNames),
    logLevel: validateLevel('options.logLevel', o.logLevel),
    logRingSize: positiveInteger('options.logRingSize', o.logRingSize),
    sinks: [...o.sinks],
    monitoring: boolean('options.monitoring', o.monitoring),
    watchdog: boolean('options.watchdog', o.watchdog),
    longBlockReportInterval: nonNegative(
      'options.longBlockReportInterval',
      o.longBlockReportInterval,
    ),
    watchdogCaptureTimeout: positiveNumber(
      'options.watchdogCaptureTimeout',
      o.watchdogCaptureTimeout,
    ),
    maxStackFrames: positiveInteger('options.maxStackFrames', o.maxStackFrames),
    samplingInterval: samplingInterval(o.samplingInterval),
  };
}

function nonNegative(option: string, value: unknown): number {
  if (value === 0) return 0;
  return positiveNumber(option, value);
}

function samplingInterval(value: unknown): number {
  const ms = positiveNumber('options.samplingInterval', value);
  if (ms < 0.05)
    throw new ContextOptionError('options.samplingInterval', `must be at least 0.05 ms, got ${ms}`);
  return ms;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

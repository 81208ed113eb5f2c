import {
  constants,
  type EventLoopUtilization,
  type IntervalHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';

/** Where the monitor puts what it measures (the context's registries). */
export interface MonitorTarget {
  addStat(name: string, value: number): void;
  addDuration(name: string, ms: number): void;
  /** Called first on every timer tick (the watchdog's heartbeat rides on it). */
  beat?(): void;
}

/** Names of the stats the monitor writes, for the README and for readers such as meta. */
export const MONITOR_STATS = {
  loopDelayMean: 'loop.delay.mean',
  loopDelayMax: 'loop.delay.max',
  loopUtilization: 'loop.utilization',
  heapUsed: 'mem.heapUsed',
  heapTotal: 'mem.heapTotal',
  rss: 'mem.rss',
  external: 'mem.external',
  cpuUser: 'cpu.user',
  cpuSystem: 'cpu.system',
  /** Prefix: `resources.TCPSocketWrap`, `resources.Timeout`, … */
  resources: 'resources.',
  /** Prefix of durations: `gc.minor`, `gc.major`, `gc.incremental`, `gc.weakcb`. */
  gc: 'gc.',
  /** Duration of the monitor's own sampling, in ms. */
  overhead: 'monitor.overhead',
} as const;

/** Memory and active resources are sampled every this many ms (at least every interval). */
export const SLOW_SAMPLE_MS = 1000;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Samples the event loop and the process every `interval` ms on an unref'd
 * timer: loop delay (perf_hooks histogram, reset each interval), loop
 * utilization over the interval, CPU time as a percentage of one core, and
 * its own cost; heap, RSS, external memory and active resources by type
 * about once a second ({@link SLOW_SAMPLE_MS}). GC pauses are recorded as
 * they happen, by kind.
 */
export class Monitor {
  private timer: NodeJS.Timeout | undefined;
  private histogram: IntervalHistogram | undefined;
  private gcObserver: PerformanceObserver | undefined;
  private elu: EventLoopUtilization | undefined;
  private cpu: NodeJS.CpuUsage | undefined;
  private lastTick = 0;
  private ticks = 0;

  constructor(
    private readonly target: MonitorTarget,
    private interval: number,
  ) {}

  get isRunning(): boolean {
    return this.timer !== undefined;
  }

  /** Samples taken since creation. */
  get samples(): number {
    return this.ticks;
  }

  start(): void {
    if (this.timer !== undefined) return;
    // The histogram samples the loop with its own timer every `resolution`
    // ms, and each wake-up is the cost (tens of µs on a VM): two samples per
    // interval keep it small while a block still shows in the interval's max.
    this.histogram = monitorEventLoopDelay({
      resolution: Math.max(1, Math.round(this.interval / 2)),
    });
    this.histogram.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
        this.target.addDuration(`${MONITOR_STATS.gc}${kind}`, entry.duration);
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.elu = performance.eventLoopUtilization();
    this.cpu = process.cpuUsage();
    this.lastTick = performance.now();
    this.timer = setInterval(() => {
      this.target.beat?.();
      this.tick();
    }, this.interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
  }

  /** Applies a new interval (restarting the timer if running). */
  setInterval(interval: number): void {
    this.interval = interval;
    if (this.timer !== undefined) {
      this.stop();
      this.start();
    }
  }

  /** Takes one sample now; the timer calls this every interval. */
  tick(): void {
    const begin = performance.now();
    const t = this.target;
    const h = this.histogram;
    // Each histogram read is a native call; the mean is NaN when the interval
    // had no sample, which saves asking for the count.
    const mean = h?.mean ?? Number.NaN;
    if (h !== undefined && !Number.isNaN(mean)) {
      t.addStat(MONITOR_STATS.loopDelayMean, mean / 1e6);
      t.addStat(MONITOR_STATS.loopDelayMax, h.max / 1e6);
      h.reset();
    }
    const elu = performance.eventLoopUtilization();
    if (this.elu !== undefined) {
      t.addStat(
        MONITOR_STATS.loopUtilization,
        performance.eventLoopUtilization(elu, this.elu).utilization,
      );
    }
    this.elu = elu;
    const elapsedMs = begin - this.lastTick;
    const cpu = process.cpuUsage();
    if (this.cpu !== undefined && elapsedMs > 0) {
      t.addStat(MONITOR_STATS.cpuUser, (cpu.user - this.cpu.user) / 10 / elapsedMs);
      t.addStat(MONITOR_STATS.cpuSystem, (cpu.system - this.cpu.system) / 10 / elapsedMs);
    }
    this.cpu = cpu;
    this.lastTick = begin;
    // Memory and resources move slowly and cost the most to read (RSS comes
    // from /proc), so they are sampled about once a second.
    if (this.ticks % Math.max(1, Math.round(SLOW_SAMPLE_MS / this.interval)) === 0) {
      const mem = process.memoryUsage();
      t.addStat(MONITOR_STATS.heapUsed, mem.heapUsed);
      t.addStat(MONITOR_STATS.heapTotal, mem.heapTotal);
      t.addStat(MONITOR_STATS.rss, mem.rss);
      t.addStat(MONITOR_STATS.external, mem.external);
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) {
        counts.set(type, (counts.get(type) ?? 0) + 1);
      }
      for (const [type, count] of counts) t.addStat(`${MONITOR_STATS.resources}${type}`, count);
    }
    this.ticks++;
    t.addDuration(MONITOR_STATS.overhead, performance.now() - begin);
  }
}

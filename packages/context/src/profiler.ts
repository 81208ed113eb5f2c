import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { ContextError } from './errors.js';
import { type CpuProfile, type Hotspot, HotspotTable } from './hotspots.js';

/**
 * A V8 sampling CPU profiler on an in-process inspector session (no
 * debugger port). Reading results stops the current profile and starts a
 * new one at once, so sampling continues; hotspots accumulate across all of
 * them, while `lastProfile` is the most recent segment only.
 */
export class SamplingProfiler {
  private session: Session | undefined;
  private running = false;
  private readonly table = new HotspotTable();
  private last: CpuProfile | undefined;
  /** Serialises start/stop/read so overlapping calls cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  /** @param intervalUs sampling interval in microseconds */
  constructor(private readonly intervalUs: number) {}

  get isSampling(): boolean {
    return this.running;
  }

  /** The most recent profile segment, in the `.cpuprofile` format. */
  get lastProfile(): CpuProfile | undefined {
    return this.last;
  }

  start(): Promise<void> {
    return this.serial(async () => {
      if (this.running) return;
      await this.begin(this.connect());
      this.running = true;
    });
  }

  /** Stops sampling; the final segment is added to the hotspots and kept as `lastProfile`. */
  stop(): Promise<void> {
    return this.serial(async () => {
      if (!this.running || this.session === undefined) return;
      this.running = false;
      const session = this.session;
      try {
        await this.collect(session);
      } finally {
        this.disconnect();
      }
    });
  }

  /** Self and total time per function since sampling first started (or the last `clear()`). */
  hotspots(limit?: number): Promise<Hotspot[]> {
    return this.serial(async () => {
      if (this.running && this.session !== undefined) {
        await this.collect(this.session);
        await this.begin(this.session);
      }
      return this.table.top(limit);
    });
  }

  /**
   * Writes the profile to `path` as a `.cpuprofile` that Chrome DevTools
   * (Performance panel, "Load profile") opens. While sampling, this is the
   * segment since the previous read; otherwise the last segment taken.
   */
  saveProfile(path: string): Promise<void> {
    return this.serial(async () => {
      if (this.running && this.session !== undefined) {
        await this.collect(this.session);
        await this.begin(this.session);
      }
      if (this.last === undefined) {
        throw new ContextError(
          'SUP_ERR_CONTEXT_NOT_SAMPLING',
          'no profile to save: call setSampling(true) first',
        );
      }
      await writeFile(path, JSON.stringify(this.last));
    });
  }

  clear(): void {
    this.table.clear();
    this.last = undefined;
  }

  private async begin(session: Session): Promise<void> {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: this.intervalUs });
    await post(session, 'Profiler.start');
  }

  private async collect(session: Session): Promise<void> {
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: CpuProfile };
    // A restart on an enabled profiler loses the names of functions compiled
    // before it; disabling first makes V8 log them again.
    await post(session, 'Profiler.disable');
    this.last = profile;
    this.table.add(profile);
  }

  private connect(): Session {
    if (this.session === undefined) {
      const session = new Session();
      session.connect();
      this.session = session;
    }
    return this.session;
  }

  private disconnect(): void {
    this.session?.disconnect();
    this.session = undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (error, result) => {
      if (error)
        reject(
          new ContextError('SUP_ERR_CONTEXT_INSPECTOR', `${method} failed: ${error.message}`, {
            cause: error,
          }),
        );
      else resolve(result);
    });
  });
}

import type { StatsSnapshot } from '@support/faststat';
import type { ComponentInfo, ComponentsInfo } from './components.js';
import type { LogInfo } from './log/log.js';
import type { LogRecord } from './log/record.js';
import type { RecentInfo } from './recent.js';
import type { Registry, RegistryInfo } from './registry.js';
import type { LongBlockReport } from './watchdog.js';

/** What `ctx.snapshot()` returns: plain JSON, mergeable across workers by meta. */
export interface ContextSnapshot {
  version: 1;
  pid: number;
  /** Wall-clock ms when the snapshot was taken, and when the context was created. */
  time: number;
  createdAt: number;
  config: Record<string, number>;
  stats: Record<string, StatsSnapshot>;
  durations: Record<string, StatsSnapshot>;
  intervals: Record<string, StatsSnapshot>;
  markov: Record<string, unknown>;
  sketches: Record<string, unknown>;
  volatileStats: Record<string, StatsSnapshot>;
  registries: Record<string, RegistryInfo>;
  recent: RecentInfo & { events: Record<string, unknown[]> };
  log: LogInfo & { level: string; ring: LogRecord[] };
  monitor: { running: boolean; samples: number };
  watchdog: {
    running: boolean;
    captureStacks: boolean;
    errors: number;
    longBlocks: LongBlockReport[];
  };
  profiler: { sampling: boolean };
  /** Every registered component with its status (`ctx.components.list()`). */
  components: ComponentInfo[];
  componentRegistry: ComponentsInfo;
  /** Set by `mergeSnapshots`: what went into this snapshot. */
  merged?: MergedInfo;
}

/** What `mergeSnapshots` merged: how many snapshots, of which pids, and what it could not merge. */
export interface MergedInfo {
  count: number;
  pids: number[];
  /** `field.name: message` for entries that could not be merged (they keep the first one's value). */
  errors: string[];
}

/**
 * Snapshots every entry of a registry. An entry whose snapshot throws is left
 * out as `{ error }` rather than failing the whole view.
 */
export function snapshotRegistry(
  registry: Registry<{ snapshot(): unknown }>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, item] of registry.entries()) {
    try {
      out[name] = item.snapshot();
    } catch (error) {
      out[name] = { error: error instanceof Error ? error.message : 'snapshot failed' };
    }
  }
  return out;
}

// Turns V8 CPU profiles (the `.cpuprofile` format) into per-function
// self/total times, accumulated over every profile seen.

/** The parts of a V8 `Profiler.Profile` this module reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: {
      functionName: string;
      scriptId: string;
      url: string;
      lineNumber: number;
      columnNumber: number;
    };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Time attributed to one function. */
export interface Hotspot {
  /** `(anonymous)` for unnamed functions; `(idle)`, `(program)`, `(garbage collector)` for V8's own. */
  functionName: string;
  /** Script URL (`file:///…`, `node:…`) or empty for V8's own entries. */
  url: string;
  /** 1-based line and column of the function's start. */
  lineNumber: number;
  columnNumber: number;
  /** Milliseconds with this function on top of the stack. */
  selfMs: number;
  /** Milliseconds with this function anywhere on the stack (recursion counted once). */
  totalMs: number;
  /** Samples with the function on top of the stack. */
  samples: number;
}

/** Accumulates hotspots across profiles, keyed by function identity. */
export class HotspotTable {
  private readonly table = new Map<string, Hotspot>();

  add(profile: CpuProfile): void {
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    if (samples.length === 0) return;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) {
      for (const child of node.children ?? []) parent.set(child, node.id);
    }
    // V8 stamps each sample with the delta since the previous one, so the
    // time a sample stands for is the delta that follows it.
    for (let i = 0; i < samples.length; i++) {
      const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
      const seen = new Set<string>();
      let first = true;
      for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
        const node = byId.get(id);
        if (node === undefined) break;
        const frame = node.callFrame;
        if (frame.functionName === '(root)') break;
        const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
        let spot = this.table.get(key);
        if (spot === undefined) {
          spot = {
            functionName: frame.functionName || '(anonymous)',
            url: frame.url,
            lineNumber: frame.lineNumber + 1,
            columnNumber: frame.columnNumber + 1,
            selfMs: 0,
            totalMs: 0,
            samples: 0,
          };
          this.table.set(key, spot);
        }
        if (first) {
          spot.selfMs += ms;
          spot.samples++;
          first = false;
        }
        if (!seen.has(key)) {
          spot.totalMs += ms;
          seen.add(key);
        }
      }
    }
  }

  /** The `limit` functions with the most self time, most first. */
  top(limit = 50): Hotspot[] {
    return [...this.table.values()]
      .sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs)
      .slice(0, limit)
      .map((spot) => ({ ...spot }));
  }

  clear(): void {
    this.table.clear();
  }
}

// Metric families as data, claimed under unique names, and their rendering
// in the Prometheus text format 0.0.4 or OpenMetrics 1.0.
import { escapeHelp, escapeLabelValue, formatValue } from './text.js';

export type FamilyType = 'counter' | 'gauge' | 'summary' | 'histogram';
export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

/** One sample line: `<family><suffix>{labels} value`. */
export interface Sample {
  suffix: '' | '_total' | '_sum' | '_count' | '_bucket';
  labels: Labels;
  value: number;
}

/**
 * A family: a counter's name is given without `_total` (0.0.4 names the
 * family with it, OpenMetrics without). `series` groups the samples of one
 * label set (one worker), so the cap on series can keep some and cut others.
 */
export interface Family {
  name: string;
  type: FamilyType;
  help: string;
  series: Sample[][];
}

/** Suffixes a family's samples may carry: a name claims itself with each of them. */
const SUFFIXES = ['', '_total', '_created', '_sum', '_count', '_bucket', '_info'];

/**
 * Hands out family names so that no two families can produce the same sample
 * name: a taken name gets `_2`, `_3`, ….
 */
export class Names {
  private readonly taken = new Set<string>();

  /** `base`, or the first of `base_2`, `base_3`, … none of whose samples collide. */
  claim(base: string): string {
    let name = base;
    for (let i = 2; this.collides(name); i++) name = `${base}_${i}`;
    for (const s of SUFFIXES) this.taken.add(name + s);
    return name;
  }

  private collides(name: string): boolean {
    // Each claimed name took itself with every suffix, so `x_count` after a
    // summary `x`, and `x` after a gauge `x_count`, both collide here.
    for (const s of SUFFIXES) if (this.taken.has(name + s)) return true;
    return false;
  }
}

/** Appends one family to `out`: HELP, TYPE, then every sample. */
export function renderFamily(out: string[], family: Family, openMetrics: boolean): void {
  const head = family.type === 'counter' && !openMetrics ? `${family.name}_total` : family.name;
  out.push(`# HELP ${head} ${escapeHelp(family.help, openMetrics)}\n`);
  out.push(`# TYPE ${head} ${family.type}\n`);
  for (const series of family.series) {
    for (const sample of series) {
      let line = family.name + sample.suffix;
      if (sample.labels.length > 0) {
        line += '{';
        for (let i = 0; i < sample.labels.length; i++) {
          const [k, v] = sample.labels[i]!;
          line += `${i > 0 ? ',' : ''}${k}="${escapeLabelValue(v)}"`;
        }
        line += '}';
      }
      out.push(`${line} ${formatValue(sample.value)}\n`);
    }
  }
}

/** Number of samples in a family. */
export function sampleCount(family: Family): number {
  let n = 0;
  for (const s of family.series) n += s.length;
  return n;
}

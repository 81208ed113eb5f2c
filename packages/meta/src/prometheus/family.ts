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

/** The sample names and family names (in both formats) a family of this type produces. */
function namesOf(name: string, type: FamilyType): string[] {
  switch (type) {
    case 'counter':
      return [name, `${name}_total`, `${name}_created`];
    case 'summary':
      return [name, `${name}_sum`, `${name}_count`, `${name}_created`];
    case 'histogram':
      return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`, `${name}_created`];
    default:
      return [name];
  }
}

/**
 * Hands out family names so that no two families share a family name or
 * produce the same sample name (a summary `x` and a gauge `x_count` would):
 * a taken name gets `_2`, `_3`, ….
 */
export class Names {
  private readonly taken = new Set<string>();

  /** `base`, or the first of `base_2`, `base_3`, … that collides with nothing claimed. */
  claim(base: string, type: FamilyType): string {
    let name = base;
    for (let i = 2; namesOf(name, type).some((n) => this.taken.has(n)); i++) name = `${base}_${i}`;
    for (const n of namesOf(name, type)) this.taken.add(n);
    return name;
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

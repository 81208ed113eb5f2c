// Families of what the context knows about itself and of its state machines
// and sketches: registry sizes and overflows, log and recent-event counters,
// components by kind, objects per Markov state, sketch sizes.
import type { ContextSnapshot } from '@support/context';
import type { MarkovSnapshot, StatsSnapshot } from '@support/faststat';
import type { Family, Labels, Sample } from './family.js';
import { type StatSeries, summaryFamily } from './stats.js';
import type { View } from './view.js';

type Point = [labels: Labels, value: number | undefined];

/** A family with one sample per (view, extra labels) point the function yields. */
function family(
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  views: readonly View[],
  points: (s: ContextSnapshot) => Point[],
): Family {
  const series: Sample[][] = [];
  for (const view of views) {
    const samples: Sample[] = [];
    for (const [labels, value] of points(view.snapshot)) {
      if (typeof value !== 'number' || Number.isNaN(value)) continue;
      samples.push({
        suffix: type === 'counter' ? '_total' : '',
        labels: [...view.labels, ...labels],
        value,
      });
    }
    if (samples.length > 0) series.push(samples);
  }
  return { name, type, help, series };
}

const one = (value: number | undefined): Point[] => [[[], value]];

function markovOf(s: ContextSnapshot): Array<[string, MarkovSnapshot]> {
  return Object.entries(s.markov ?? {}).filter(
    (e): e is [string, MarkovSnapshot] =>
      typeof e[1] === 'object' && e[1] !== null && (e[1] as MarkovSnapshot).type === 'markov',
  );
}

interface SketchLike {
  type: 'streamsketch';
  n: number;
  cardinality: number;
}

function sketchesOf(s: ContextSnapshot): Array<[string, SketchLike]> {
  return Object.entries(s.sketches ?? {}).filter(
    (e): e is [string, SketchLike] =>
      typeof e[1] === 'object' && e[1] !== null && (e[1] as SketchLike).type === 'streamsketch',
  );
}

/** The context's own families; `p` is the prefix. */
export function internalFamilies(
  p: string,
  views: readonly View[],
  quantiles: readonly number[],
): Family[] {
  const registries = (s: ContextSnapshot) => Object.entries(s.registries ?? {});
  const families: Family[] = [
    family(
      `${p}registry_names`,
      'gauge',
      'Names held by each stat registry of the context.',
      views,
      (s) => registries(s).map(([r, info]) => [[['registry', r]], info.size]),
    ),
    family(
      `${p}registry_overflow`,
      'counter',
      'Lookups of new names that went to the shared __overflow__ entry because the registry was full.',
      views,
      (s) => registries(s).map(([r, info]) => [[['registry', r]], info.overflow]),
    ),
    family(
      `${p}registry_evicted`,
      'counter',
      'Names dropped to make room (volatile registries).',
      views,
      (s) => registries(s).map(([r, info]) => [[['registry', r]], info.evicted]),
    ),
    family(`${p}log_records`, 'counter', 'Action log records that reached the sinks.', views, (s) =>
      one(s.log?.records),
    ),
    family(`${p}log_sink_errors`, 'counter', 'Log sink calls that threw.', views, (s) =>
      one(s.log?.sinkErrors),
    ),
    family(
      `${p}recent_events`,
      'counter',
      'Events written to the recent-traffic rings.',
      views,
      (s) => one(s.recent?.added),
    ),
    family(
      `${p}recent_dropped`,
      'counter',
      'Events refused because recording was disabled.',
      views,
      (s) => one(s.recent?.dropped),
    ),
    family(`${p}watchdog_errors`, 'counter', 'Errors of the long-block watchdog.', views, (s) =>
      one(s.watchdog?.errors),
    ),
    family(`${p}components`, 'gauge', 'Registered components by kind.', views, (s) => {
      const byKind = new Map<string, number>();
      for (const c of s.components ?? []) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
      return [...byKind].sort().map(([kind, n]) => [[['kind', kind]], n]);
    }),
    family(
      `${p}markov_objects`,
      'gauge',
      'Objects in each state of each state machine now.',
      views,
      (s) =>
        markovOf(s).flatMap(([machine, m]) =>
          Object.entries(m.counts ?? {}).map(
            ([state, n]): Point => [
              [
                ['machine', machine],
                ['state', state],
              ],
              n,
            ],
          ),
        ),
    ),
    family(
      `${p}markov_leaked`,
      'counter',
      'Objects of each state machine garbage-collected without close().',
      views,
      (s) => markovOf(s).map(([machine, m]) => [[['machine', machine]], m.leaked]),
    ),
    markovDurations(p, views, quantiles),
    family(`${p}sketch_items`, 'counter', 'Items added to each stream sketch.', views, (s) =>
      sketchesOf(s).map(([name, sk]) => [[['sketch', name]], sk.n]),
    ),
    family(
      `${p}sketch_cardinality`,
      'gauge',
      'Estimated distinct items of each stream sketch (HyperLogLog).',
      views,
      (s) => sketchesOf(s).map(([name, sk]) => [[['sketch', name]], sk.cardinality]),
    ),
  ];
  return families.filter((f) => f.series.length > 0);
}

function markovDurations(p: string, views: readonly View[], quantiles: readonly number[]): Family {
  const series: StatSeries[] = [];
  for (const view of views) {
    for (const [machine, m] of markovOf(view.snapshot)) {
      for (const [state, d] of Object.entries(m.stateDurations ?? {})) {
        series.push({
          labels: [...view.labels, ['machine', machine], ['state', state]],
          snapshot: d as StatsSnapshot,
        });
      }
    }
  }
  return summaryFamily(
    `${p}markov_state_duration_seconds`,
    'Time spent in each state of each state machine.',
    series,
    quantiles,
    1e-3,
  );
}

import type { ContextSnapshot } from '@support/context';
import { codes, MetaError } from '../errors.js';
import { METRIC_NAME } from './text.js';

/** Options of {@link renderPrometheus}. */
export interface PrometheusOptions {
  /**
   * OpenMetrics 1.0 (`# EOF`, counters named without `_total` in TYPE)
   * instead of the Prometheus text format 0.0.4.
   * @default false
   */
  openMetrics?: boolean;
  /**
   * The workers' own snapshots (the merged `snapshot` is theirs merged). With
   * them, summed gauges (memory, resources) are exact rather than estimated,
   * and, unless `workerLabels` is false, every family gets a `worker` label:
   * `worker="all"` for the merged series and the worker's id for each.
   * @default undefined
   */
  workerSnapshots?: ReadonlyArray<{ worker: string; snapshot: ContextSnapshot }>;
  /**
   * With `workerSnapshots`: also render each worker's series, labelled.
   * @default true
   */
  workerLabels?: boolean;
  /**
   * Most samples (lines) in the output. Families past it are cut (first down
   * to their merged series, then whole); the samples cut are counted in
   * `<prefix>meta_series_dropped_total`.
   * @default 50000
   */
  maxSeries?: number;
  /**
   * Prefix of every metric name that is not one of prom-client's process and
   * runtime names; empty or a valid metric name start.
   * @default 'support_'
   */
  prefix?: string;
  /**
   * Quantiles of the summaries.
   * @default [0.5, 0.9, 0.95, 0.99]
   */
  quantiles?: readonly number[];
  /**
   * Render each statistic as a summary (`<prefix><name>`, durations in seconds
   * as `<prefix><name>_seconds`).
   * @default true
   */
  summaries?: boolean;
  /**
   * Render each statistic as a histogram of its 1-2-5 buckets as well
   * (`<prefix><name>_histogram`, durations `<prefix><name>_histogram_seconds`).
   * @default true
   */
  histograms?: boolean;
}

export const prometheusDefaults = {
  openMetrics: false,
  workerLabels: true,
  maxSeries: 50_000,
  prefix: 'support_',
  quantiles: [0.5, 0.9, 0.95, 0.99],
  summaries: true,
  histograms: true,
} as const satisfies PrometheusOptions;

export type ResolvedPrometheusOptions = Required<Omit<PrometheusOptions, 'workerSnapshots'>> & {
  workerSnapshots: ReadonlyArray<{ worker: string; snapshot: ContextSnapshot }> | undefined;
};

const KEYS = new Set([...Object.keys(prometheusDefaults), 'workerSnapshots']);

function invalid(option: string, message: string): MetaError {
  return new MetaError(codes.INVALID_OPTION, `options.${option} ${message}`);
}

/** Validates options over the defaults; errors name the option. */
export function resolvePrometheusOptions(options: unknown): ResolvedPrometheusOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new MetaError(codes.INVALID_OPTION, 'options must be an object');
  const given = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given))
    if (!KEYS.has(key)) throw invalid(key, 'is not an option of renderPrometheus');
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const o = {
    workerSnapshots: undefined,
    ...prometheusDefaults,
    ...defined,
  } as ResolvedPrometheusOptions;
  for (const key of ['openMetrics', 'workerLabels', 'summaries', 'histograms'] as const)
    if (typeof o[key] !== 'boolean') throw invalid(key, 'must be a boolean');
  if (!Number.isInteger(o.maxSeries) || o.maxSeries < 1)
    throw invalid('maxSeries', 'must be a positive integer');
  if (typeof o.prefix !== 'string' || (o.prefix !== '' && !METRIC_NAME.test(o.prefix)))
    throw invalid('prefix', 'must be empty or match [a-zA-Z_:][a-zA-Z0-9_:]*');
  if (
    !Array.isArray(o.quantiles) ||
    o.quantiles.some((q) => typeof q !== 'number' || !(q >= 0 && q <= 1))
  )
    throw invalid('quantiles', 'must be an array of numbers in [0, 1]');
  const workers = o.workerSnapshots;
  if (workers !== undefined) {
    if (!Array.isArray(workers)) throw invalid('workerSnapshots', 'must be an array');
    const seen = new Set<string>();
    workers.forEach((w, i) => {
      if (typeof w?.worker !== 'string' || w.worker === '' || w.worker === 'all')
        throw invalid(
          `workerSnapshots[${i}].worker`,
          "must be a non-empty string other than 'all'",
        );
      if (seen.has(w.worker)) throw invalid(`workerSnapshots[${i}].worker`, `repeats ${w.worker}`);
      seen.add(w.worker);
      if (typeof w.snapshot !== 'object' || w.snapshot === null)
        throw invalid(`workerSnapshots[${i}].snapshot`, 'must be a context snapshot');
    });
  }
  return o;
}

// @support/meta /metrics figures: render time of renderPrometheus with 1,000
// statistics next to prom-client rendering 1,000 metrics of the same kinds
// in the same process, and the merge of 8 workers' snapshots (1,000
// statistics each) next to prom-client's AggregatorRegistry.aggregate of 8
// workers' metrics. Medians of several rounds; ratios against prom-client.
//
// Called by bench/run.mjs (`runMetricsBench()`), or alone:
//   node --expose-gc bench/metrics.mjs                        (against dist/, after pnpm build)
//   node --expose-gc --conditions=@support/source --import tsx/esm bench/metrics.mjs   (from src/)
import { pathToFileURL } from 'node:url';
import { Context, mergeSnapshots } from '@support/context';
import { renderPrometheus } from '@support/meta';
import { fmt, machine, median, table } from '@support-tools/bench';
import client from 'prom-client';

/** Deterministic lognormal-ish values (ms) so every run measures the same data. */
function values(count, seed) {
  let x = seed >>> 0 || 1;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u1 = ((x >>> 0) + 1) / 4294967297;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u2 = ((x >>> 0) + 1) / 4294967297;
    out[i] = Math.exp(1.5 + 0.8 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  }
  return out;
}

/** A context holding `stats` statistics, half plain stats and half durations, `points` each. */
function filledContext(stats, points, seed) {
  const ctx = new Context({ monitoring: false, watchdog: false, maxStatNames: stats + 10 });
  const data = values(points, seed);
  for (let k = 0; k < stats; k++) {
    const target = k % 2 === 0 ? ctx.stats.get(`app.stat.${k}`) : ctx.durations.get(`app.op.${k}`);
    for (let i = 0; i < points; i++) target.add(data[(i + k) % points]);
  }
  return ctx;
}

/** prom-client registry with `count` metrics of `kind`, `points` observations each. */
function promRegistry(kind, count, points, seed) {
  const registry = new client.Registry();
  const data = values(points, seed);
  // 1-2-5 buckets from 0.1 to 500 ms: about what renderPrometheus shows for these values.
  const buckets = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500];
  for (let k = 0; k < count; k++) {
    const name = `app_metric_${k}`;
    const help = `metric ${k}`;
    const metric =
      kind === 'summary'
        ? new client.Summary({
            name,
            help,
            percentiles: [0.5, 0.9, 0.95, 0.99],
            registers: [registry],
          })
        : new client.Histogram({ name, help, buckets, registers: [registry] });
    for (let i = 0; i < points; i++) metric.observe(data[(i + k) % points]);
  }
  return registry;
}

/**
 * Median milliseconds of each function over `rounds` rounds, after one
 * warm-up each. The functions take turns within a round, so load from other
 * processes on the shared machine falls on all of them alike.
 */
async function compareMs(fns, rounds) {
  const names = Object.keys(fns);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await fns[n]();
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      globalThis.gc?.();
      const t0 = process.hrtime.bigint();
      await fns[n]();
      samples[n].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/**
 * Runs the figures and prints them as markdown (unless `print` is false).
 * Returns the medians in ms and the ratios, for bench/run.mjs.
 */
export async function runMetricsBench({
  stats = 1000,
  workers = 8,
  points = 200,
  rounds = 7,
  print = true,
} = {}) {
  const out = (s) => print && process.stdout.write(s);
  const contexts = [];
  try {
    const one = filledContext(stats, points, 1);
    contexts.push(one);
    const snapshot = one.snapshot();
    const maxSeries = 1e7;

    const promSummaryRegistry = promRegistry('summary', stats, points, 1);
    const promHistogramRegistry = promRegistry('histogram', stats, points, 1);
    const render = await compareMs(
      {
        oursSummary: () => renderPrometheus(snapshot, { histograms: false, maxSeries }),
        promSummary: () => promSummaryRegistry.metrics(),
        oursHistogram: () => renderPrometheus(snapshot, { summaries: false, maxSeries }),
        promHistogram: () => promHistogramRegistry.metrics(),
        oursBoth: () => renderPrometheus(snapshot, { maxSeries }),
      },
      rounds,
    );
    const { oursSummary, promSummary, oursHistogram, promHistogram, oursBoth } = render;
    const bytes = (s) => `${fmt(Buffer.byteLength(s) / 1024)} KiB`;

    // Eight workers' snapshots as they arrive over IPC (JSON), and prom-client's
    // cluster path: every worker's getMetricsAsJSON(), aggregated in the primary.
    const parts = [];
    for (let w = 0; w < workers; w++) {
      const ctx = filledContext(stats, points, 100 + w);
      contexts.push(ctx);
      parts.push(JSON.parse(JSON.stringify({ ...ctx.snapshot(), pid: 1000 + w })));
    }
    const labelled = parts.map((snapshot, i) => ({ worker: String(i + 1), snapshot }));
    const promJson = [];
    for (let w = 0; w < workers; w++) {
      const half = Math.ceil(stats / 2);
      const s = promRegistry('summary', half, points, 100 + w);
      const h = promRegistry('histogram', stats - half, points, 200 + w);
      promJson.push(
        JSON.parse(
          JSON.stringify([
            ...(await s.getMetricsAsJSON()),
            ...(await h.getMetricsAsJSON()).map((m) => ({ ...m, name: `${m.name}_h` })),
          ]),
        ),
      );
    }
    const merging = await compareMs(
      {
        merge: () => mergeSnapshots(parts),
        mergeAndRender: () =>
          renderPrometheus(mergeSnapshots(parts), {
            workerSnapshots: labelled,
            workerLabels: false,
            maxSeries,
          }),
        promAggregate: () => client.AggregatorRegistry.aggregate(promJson).metrics(),
      },
      Math.max(3, Math.ceil(rounds / 2)),
    );
    const { merge, mergeAndRender, promAggregate } = merging;
    const ratio = (a, b) => `${fmt(a / b, 2)}×`;
    out('## @support/meta: /metrics\n\n');
    out(
      `Machine: ${machine()} (shared and loaded while measured). Medians of ${rounds} rounds ` +
        `(merges: ${Math.max(3, Math.ceil(rounds / 2))}); the contenders take turns in each round.\n\n`,
    );
    out(`Render of ${fmt(stats)} statistics (${points} points each), ms:\n\n`);
    if (print) {
      table(
        [
          'what',
          'renderPrometheus',
          'prom-client registry.metrics()',
          'ratio (ours / prom-client)',
        ],
        [
          [
            `${stats} summaries (4 quantiles)`,
            fmt(oursSummary),
            fmt(promSummary),
            ratio(oursSummary, promSummary),
          ],
          [
            `${stats} histograms (1-2-5 buckets)`,
            fmt(oursHistogram),
            fmt(promHistogram),
            ratio(oursHistogram, promHistogram),
          ],
          [`${stats} summaries + ${stats} histograms (the default)`, fmt(oursBoth), '', ''],
        ],
      );
    }
    out(
      `Output size: ${bytes(renderPrometheus(snapshot, { maxSeries }))} (both), ` +
        `prom-client ${bytes(await promSummaryRegistry.metrics())} (summaries) + ` +
        `${bytes(await promHistogramRegistry.metrics())} (histograms).\n\n`,
    );
    out(`Merge of ${workers} workers' snapshots, ${fmt(stats)} statistics each, ms:\n\n`);
    if (print) {
      table(
        ['what', 'ms', 'ratio to prom-client aggregate'],
        [
          [
            'mergeSnapshots (faststat merge: exact counts, sketch quantiles)',
            fmt(merge),
            ratio(merge, promAggregate),
          ],
          [
            'mergeSnapshots + renderPrometheus (the /metrics path under prefork)',
            fmt(mergeAndRender),
            ratio(mergeAndRender, promAggregate),
          ],
          [
            'prom-client AggregatorRegistry.aggregate + metrics() (sums quantiles)',
            fmt(promAggregate),
            '1×',
          ],
        ],
      );
    }
    return {
      renderSummariesMs: oursSummary,
      renderHistogramsMs: oursHistogram,
      renderBothMs: oursBoth,
      promSummariesMs: promSummary,
      promHistogramsMs: promHistogram,
      mergeMs: merge,
      mergeAndRenderMs: mergeAndRender,
      promAggregateMs: promAggregate,
    };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runMetricsBench();
}

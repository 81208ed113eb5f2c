import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Context, type ContextSnapshot, mergeSnapshots } from '@support/context';
import { afterEach, describe, expect, it } from 'vitest';
import {
  negotiateMetricsFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
} from '../src/prometheus/index.js';
import { type ParsedFamily, parseExposition } from './prometheus-format.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const contexts: Context[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

function quiet(): Context {
  const ctx = new Context({ monitoring: false, watchdog: false });
  contexts.push(ctx);
  return ctx;
}

/** The value of the one sample of `family` named `name` whose labels include `labels`. */
function value(
  families: Map<string, ParsedFamily>,
  family: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const f = families.get(family);
  if (!f) throw new Error(`no family ${family}`);
  const found = f.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1)
    throw new Error(`${found.length} samples ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

const both = [false, true] as const;

describe('renderPrometheus', () => {
  it('renders a live context: monitor metrics under prom-client names, valid in both formats', async () => {
    const ctx = new Context({ watchdog: false, config: { monitorInterval: 20 } });
    contexts.push(ctx);
    await sleep(120);
    gc();
    await sleep(60);
    ctx.sampleNow();
    const snap = ctx.snapshot();
    for (const openMetrics of both) {
      const text = renderPrometheus(snap, { openMetrics });
      const fams = parseExposition(text, openMetrics);
      const cpu = openMetrics ? 'process_cpu_user_seconds' : 'process_cpu_user_seconds_total';
      expect(fams.get(cpu)?.type).toBe('counter');
      expect(value(fams, cpu, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
      const rss = snap.stats['mem.rss']!.recent!.at(-1)![1];
      expect(value(fams, 'process_resident_memory_bytes', 'process_resident_memory_bytes')).toBe(
        rss,
      );
      expect(
        value(fams, 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_used_bytes'),
      ).toBeGreaterThan(0);
      expect(
        value(fams, 'nodejs_heap_size_total_bytes', 'nodejs_heap_size_total_bytes'),
      ).toBeGreaterThan(0);
      expect(value(fams, 'process_start_time_seconds', 'process_start_time_seconds')).toBe(
        snap.createdAt / 1000,
      );
      const lag = value(fams, 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_seconds');
      expect(lag).toBeGreaterThan(0);
      expect(lag).toBeLessThan(5);
      for (const q of ['p50', 'p90', 'p99', 'min', 'max', 'mean', 'stddev'])
        expect(fams.has(`nodejs_eventloop_lag_${q}_seconds`)).toBe(true);
      expect(
        value(fams, 'nodejs_active_resources_total', 'nodejs_active_resources_total'),
      ).toBeGreaterThan(0);
      expect(fams.has('nodejs_active_handles_total')).toBe(true);
      const gcFamily = fams.get('nodejs_gc_duration_seconds');
      expect(gcFamily?.type).toBe('histogram');
      expect(gcFamily?.samples.some((s) => s.labels.kind === 'major')).toBe(true);
      // Monitor statistics are not repeated as generic summaries; its overhead is.
      expect([...fams.keys()].some((n) => n.startsWith('support_mem_'))).toBe(false);
      expect(fams.get('support_monitor_overhead_seconds')?.type).toBe('summary');
    }
  });

  it('renders a statistic as a summary with quantiles and a cumulative 1-2-5 histogram', () => {
    const ctx = quiet();
    for (let i = 1; i <= 100; i++) ctx.stats.get('req.size').add(i);
    ctx.durations.get('db.query').add(5);
    ctx.durations.get('db.query').add(15);
    const fams = parseExposition(renderPrometheus(ctx.snapshot()), false);
    const s = 'support_req_size';
    expect(fams.get(s)?.type).toBe('summary');
    expect(value(fams, s, s, { quantile: '0.5' })).toBeCloseTo(50, -0.5);
    expect(value(fams, s, s, { quantile: '0.99' })).toBeCloseTo(99, -0.5);
    expect(value(fams, s, `${s}_sum`)).toBe(5050);
    expect(value(fams, s, `${s}_count`)).toBe(100);
    const h = 'support_req_size_histogram';
    const buckets = fams
      .get(h)!
      .samples.filter((x) => x.name === `${h}_bucket`)
      .map((x) => [x.labels.le, x.value]);
    expect(buckets).toEqual([
      ['1', 1],
      ['2', 2],
      ['5', 5],
      ['10', 10],
      ['20', 20],
      ['50', 50],
      ['100', 100],
      ['+Inf', 100],
    ]);
    const d = 'support_db_query_histogram_seconds';
    expect(
      fams
        .get(d)!
        .samples.filter((x) => x.name === `${d}_bucket`)
        .map((x) => [x.labels.le, x.value]),
    ).toEqual([
      ['0.005', 1],
      ['0.01', 1],
      ['0.02', 2],
      ['+Inf', 2],
    ]);
    expect(value(fams, d, `${d}_sum`)).toBeCloseTo(0.02, 12);
    expect(value(fams, 'support_db_query_seconds', 'support_db_query_seconds_count')).toBe(2);
  });

  it('gives colliding names distinct families and never repeats a series', () => {
    const ctx = quiet();
    for (const name of ['a.b', 'a b', 'a_b', 'x', 'x_count', 'x.sum', '', '...', '9lives', 'é'])
      ctx.stats.get(name).add(1);
    ctx.durations.get('x').add(1);
    for (const openMetrics of both) {
      for (const prefix of ['support_', '']) {
        const fams = parseExposition(
          renderPrometheus(ctx.snapshot(), { openMetrics, prefix }),
          openMetrics,
        );
        const summaries = [...fams.values()].filter(
          (f) => f.type === 'summary' && f.help.startsWith('Statistic '),
        );
        expect(summaries).toHaveLength(10);
        expect(
          fams.has(`${prefix}a_b`) && fams.has(`${prefix}a_b_2`) && fams.has(`${prefix}a_b_3`),
        ).toBe(true);
        expect(fams.has(`${prefix ? prefix : 'stat_'}9lives`)).toBe(true);
      }
    }
  });

  it('escapes label values and HELP text', () => {
    const ctx = quiet();
    const machine = 'sock "a"\\b\nc';
    ctx.markov.get(machine).makeTransitor('open');
    ctx.sketches.get('clients\\').add('x');
    ctx.stats.get('back\\slash\nnew "line"').add(1);
    ctx.stats.get('cr\rline\u2028sep\u0000').add(1);
    ctx.markov.get('tab\tcr\r').makeTransitor('s');
    for (const openMetrics of both) {
      const fams = parseExposition(renderPrometheus(ctx.snapshot(), { openMetrics }), openMetrics);
      expect(
        value(fams, 'support_markov_objects', 'support_markov_objects', { machine, state: 'open' }),
      ).toBe(1);
      const items = openMetrics ? 'support_sketch_items' : 'support_sketch_items_total';
      expect(value(fams, items, 'support_sketch_items_total', { sketch: 'clients\\' })).toBe(1);
      expect(fams.get('support_back_slash_new_line')?.help).toContain('back\\\\slash\\nnew');
    }
  });

  it('OpenMetrics: # EOF last, counters typed without _total; 0.0.4: typed with it', () => {
    const ctx = quiet();
    ctx.log.get('app').info('GO').success();
    const om = renderPrometheus(ctx.snapshot(), { openMetrics: true });
    expect(om.endsWith('\n# EOF\n')).toBe(true);
    expect(om).toContain('# TYPE support_log_records counter\nsupport_log_records_total 1\n');
    const text = renderPrometheus(ctx.snapshot());
    expect(text).not.toContain('# EOF');
    expect(text).toContain(
      '# TYPE support_log_records_total counter\nsupport_log_records_total 1\n',
    );
  });

  it('negotiates the format from Accept', () => {
    expect(negotiateMetricsFormat(undefined)).toEqual({
      openMetrics: false,
      contentType: PROMETHEUS_CONTENT_TYPE,
    });
    const prom =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    expect(negotiateMetricsFormat(prom)).toEqual({
      openMetrics: true,
      contentType: OPENMETRICS_CONTENT_TYPE,
    });
    expect(
      negotiateMetricsFormat('application/openmetrics-text; q=0, text/plain').openMetrics,
    ).toBe(false);
    expect(negotiateMetricsFormat('text/plain;version=0.0.4').openMetrics).toBe(false);
  });

  it('adds a worker label: worker="all" for the merge, exact sums of the workers', () => {
    const workers = [1, 2].map((id) => {
      const ctx = quiet();
      for (let i = 0; i < 10 * id; i++) ctx.stats.get('req').add(i);
      ctx.stats.get('mem.rss').add(1000 * id);
      ctx.stats.get('resources.TCPSocketWrap').add(id);
      ctx.stats.get('cpu.user').add(50);
      return {
        worker: String(id),
        snapshot: { ...ctx.snapshot(), pid: 1000 + id } as ContextSnapshot,
      };
    });
    const merged = mergeSnapshots(workers.map((w) => w.snapshot));
    for (const openMetrics of both) {
      const fams = parseExposition(
        renderPrometheus(merged, { openMetrics, workerSnapshots: workers }),
        openMetrics,
      );
      for (const f of fams.values()) {
        if (f.name.startsWith('support_meta_')) continue;
        for (const s of f.samples) expect(s.labels.worker, `${s.name}`).toMatch(/^(all|1|2)$/);
      }
      const rss = 'process_resident_memory_bytes';
      expect(value(fams, rss, rss, { worker: 'all' })).toBe(3000);
      expect(value(fams, rss, rss, { worker: '2' })).toBe(2000);
      expect(value(fams, 'support_req', 'support_req_count', { worker: 'all' })).toBe(30);
      expect(value(fams, 'support_req', 'support_req_count', { worker: '1' })).toBe(10);
      const res = 'nodejs_active_resources';
      expect(value(fams, res, res, { worker: 'all', type: 'TCPSocketWrap' })).toBe(3);
      const cpu = openMetrics ? 'process_cpu_user_seconds' : 'process_cpu_user_seconds_total';
      // 50% of a core over two 100 ms intervals (one per worker) = 0.1 s.
      expect(value(fams, cpu, 'process_cpu_user_seconds_total', { worker: 'all' })).toBeCloseTo(
        0.1,
        9,
      );
      expect(value(fams, 'support_meta_snapshots_merged', 'support_meta_snapshots_merged')).toBe(2);
    }
    const unlabelled = parseExposition(
      renderPrometheus(merged, { workerSnapshots: workers, workerLabels: false }),
      false,
    );
    const rss = 'process_resident_memory_bytes';
    expect(unlabelled.get(rss)?.samples).toEqual([{ name: rss, labels: {}, value: 3000 }]);
  });

  it('caps the samples at maxSeries and counts what it cut', () => {
    const ctx = quiet();
    for (let i = 0; i < 100; i++) ctx.stats.get(`stat.${i}`).add(i);
    const snap = ctx.snapshot();
    const count = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const all = renderPrometheus(snap);
    const total = count(all) - 2; // less the two meta samples
    expect(
      value(
        parseExposition(all, false),
        'support_meta_series_dropped_total',
        'support_meta_series_dropped_total',
      ),
    ).toBe(0);
    for (const maxSeries of [1, 50, 333]) {
      for (const openMetrics of both) {
        const text = renderPrometheus(snap, { maxSeries, openMetrics });
        const fams = parseExposition(text, openMetrics);
        const kept = count(text) - 2;
        expect(kept).toBeLessThanOrEqual(maxSeries);
        const dropped = openMetrics
          ? 'support_meta_series_dropped'
          : 'support_meta_series_dropped_total';
        expect(value(fams, dropped, 'support_meta_series_dropped_total')).toBe(total - kept);
      }
    }
  });

  it('with workers, a family that does not fit keeps its merged series first', () => {
    const workers = [1, 2, 3].map((id) => {
      const ctx = quiet();
      ctx.stats.get('only').add(id);
      return { worker: String(id), snapshot: { ...ctx.snapshot(), pid: id } as ContextSnapshot };
    });
    const merged = mergeSnapshots(workers.map((w) => w.snapshot));
    const options = { workerSnapshots: workers, histograms: false };
    // Room for every family before support_only, and for one of its four series (6 samples).
    const whole = renderPrometheus(merged, options);
    const before = whole
      .slice(0, whole.indexOf('# HELP support_only '))
      .split('\n')
      .filter((l) => l && !l.startsWith('#')).length;
    const text = renderPrometheus(merged, { ...options, maxSeries: before - 2 + 6 });
    const fams = parseExposition(text, false);
    expect(fams.get('support_only')?.samples).toHaveLength(6);
    expect(fams.get('support_only')?.samples.every((s) => s.labels.worker === 'all')).toBe(true);
    expect(value(fams, 'support_only', 'support_only_count', { worker: 'all' })).toBe(3);
    expect(
      value(fams, 'support_meta_series_dropped_total', 'support_meta_series_dropped_total'),
    ).toBe(18);
  });

  it('rejects bad options with SUP_ERR_META_INVALID_OPTION naming the option', () => {
    const snap = quiet().snapshot();
    const code = { code: 'SUP_ERR_META_INVALID_OPTION' };
    for (const [options, name] of [
      [{ maxSeries: 0 }, 'options.maxSeries'],
      [{ prefix: '1x' }, 'options.prefix'],
      [{ openMetrics: 'yes' }, 'options.openMetrics'],
      [{ quantiles: [2] }, 'options.quantiles'],
      [
        { workerSnapshots: [{ worker: 'all', snapshot: snap }] },
        'options.workerSnapshots[0].worker',
      ],
      [{ nope: true }, 'options.nope'],
    ] as const) {
      expect(() => renderPrometheus(snap, options as never)).toThrow(expect.objectContaining(code));
      expect(() => renderPrometheus(snap, options as never)).toThrow(name);
    }
  });
});

describe('the strict parser these tests use', () => {
  const ok = '# HELP a_total x\n# TYPE a_total counter\na_total 1\n';
  it.each([
    ['a duplicate series', `${ok}`.replace('a_total 1\n', 'a_total 1\na_total 2\n')],
    ['a second TYPE', `${ok}# TYPE a_total counter\n`],
    ['a reopened family', `${ok}# TYPE b gauge\nb 1\na_total 2\n`],
    ['a bad label escape', '# TYPE g gauge\ng{l="\\x"} 1\n'],
    ['a reserved label', '# TYPE g gauge\ng{__l="x"} 1\n'],
    ['a sample of another family', '# TYPE g gauge\nh 1\n'],
    [
      'non-cumulative buckets',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf other than _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
    ['a quantile out of range', '# TYPE s summary\ns{quantile="2"} 1\ns_sum 1\ns_count 1\n'],
    ['a bad metric name', '# TYPE 1g gauge\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseExposition(text, false)).toThrow();
  });
  it('wants # EOF last in OpenMetrics, and nowhere in 0.0.4', () => {
    const om = '# TYPE a counter\na_total 1\n';
    expect(() => parseExposition(om, true)).toThrow(/EOF/);
    expect(parseExposition(`${om}# EOF\n`, true).get('a')?.samples).toHaveLength(1);
    expect(() => parseExposition(`${ok}# EOF\n`, false)).toThrow(/EOF/);
    expect(() => parseExposition('# TYPE a_total counter\na_total 1\n# EOF\n', true)).toThrow(
      /_total/,
    );
  });
});

// @support/meta page script: auto-refresh, worker switch, keyboard shortcuts
// and the uPlot charts of the views. No framework, no network but this server.
(() => {
  const KEY = 'support-meta-autorefresh';
  const PERIOD = 5000;
  let timer = 0;

  function setRefresh(on) {
    clearTimeout(timer);
    try {
      localStorage.setItem(KEY, on ? '1' : '0');
    } catch (_) {
      /* storage off */
    }
    const box = document.getElementById('auto-refresh');
    if (box) box.checked = on;
    if (on) timer = setTimeout(() => location.reload(), PERIOD);
  }

  function readJSON(id) {
    const el = document.getElementById(id);
    if (!el) return undefined;
    try {
      return JSON.parse(el.textContent || 'null');
    } catch (_) {
      return undefined;
    }
  }

  const fmt = (v) =>
    v == null || !Number.isFinite(v)
      ? ''
      : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0)
        ? v.toExponential(1)
        : +v.toPrecision(3);
  const COLORS = ['#2f6fdf', '#e06c2f', '#2e9d5b', '#9c3fd1', '#c62828'];

  // Pairs [epochMs, value] (one or several series) as uPlot's columns: seconds, then each series.
  function columns(series) {
    const times = new Set();
    for (const s of series) for (const p of s) times.add(p[0]);
    const xs = [...times].sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const ys = series.map((s) => {
      const col = new Array(xs.length).fill(null);
      for (const p of s) col[index.get(p[0])] = p[1];
      return col;
    });
    return [xs.map((t) => t / 1000), ...ys];
  }

  function size(el) {
    const small = el.classList.contains('small');
    return { width: Math.max(200, el.clientWidth - 8), height: small ? 120 : 190 };
  }

  function empty(el) {
    el.innerHTML = '';
    const p = document.createElement('div');
    p.className = 'empty';
    p.textContent = 'no data yet';
    el.appendChild(p);
  }

  function seriesChart(el, data) {
    const multi = data && !Array.isArray(data) && Array.isArray(data.multi);
    const series = multi ? data.multi : [data || []];
    if (!series.some((s) => s.length > 0)) return empty(el);
    const labels = multi ? data.labels : ['value'];
    const cols = columns(series);
    const xs = cols[0];
    // One point (or all at one time): a minute around it instead of a degenerate axis.
    const x =
      xs[xs.length - 1] - xs[0] > 0.5
        ? { time: true }
        : { time: true, range: [xs[0] - 30, xs[0] + 30] };
    return new uPlot(
      {
        ...size(el),
        legend: { show: multi },
        cursor: { drag: { x: true, y: false } },
        scales: { x },
        axes: [
          { stroke: '#6b7385' },
          { stroke: '#6b7385', values: (_u, ticks) => ticks.map(fmt), size: 55 },
        ],
        series: [
          {},
          ...series.map((_s, i) => ({
            label: labels[i],
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            points: { show: series[i].length < 60 },
            spanGaps: true,
          })),
        ],
      },
      cols,
      el,
    );
  }

  function barsChart(el, data) {
    if (!data || data.length === 0 || !data.some((p) => p[1] > 0)) return empty(el);
    return new uPlot(
      {
        ...size(el),
        legend: { show: false },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#6b7385' },
          { stroke: '#6b7385', values: (_u, t) => t.map(fmt), size: 50 },
        ],
        series: [
          {},
          {
            label: 'count',
            fill: '#2f6fdf99',
            stroke: '#2f6fdf',
            points: { show: false },
            paths: uPlot.paths.bars({ size: [0.8, 30] }),
          },
        ],
      },
      columns([data]),
      el,
    );
  }

  function histogramChart(el, data) {
    if (!data?.counts || data.counts.length === 0) return empty(el);
    const xs = data.counts.map((_c, i) => i);
    return new uPlot(
      {
        ...size(el),
        legend: { show: false },
        scales: { x: { time: false, range: [-0.6, xs.length - 0.4] } },
        axes: [
          {
            stroke: '#6b7385',
            values: (_u, ticks) =>
              ticks.map((t) => (Number.isInteger(t) ? data.labels[t] || '' : '')),
            space: 40,
          },
          { stroke: '#6b7385', values: (_u, t) => t.map(fmt), size: 50 },
        ],
        series: [
          {},
          {
            label: 'count',
            fill: '#2f6fdf99',
            stroke: '#2f6fdf',
            points: { show: false },
            paths: uPlot.paths.bars({ size: [0.9, 60] }),
          },
        ],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx;
              ctx.save();
              ctx.font = `${11 * devicePixelRatio}px sans-serif`;
              (data.markers || []).forEach((m, i) => {
                const x = u.valToPos(m.x, 'x', true);
                ctx.strokeStyle = COLORS[(i + 1) % COLORS.length];
                ctx.lineWidth = 1.5 * devicePixelRatio;
                ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.fillStyle = ctx.strokeStyle;
                ctx.fillText(
                  m.label,
                  x + 3 * devicePixelRatio,
                  u.bbox.top + (12 + 12 * i) * devicePixelRatio,
                );
              });
              ctx.restore();
            },
          ],
        },
      },
      [xs, data.counts],
      el,
    );
  }

  const KINDS = { series: seriesChart, bars: barsChart, histogram: histogramChart };

  function drawCharts() {
    const charts = readJSON('chart-data');
    if (charts === undefined || typeof uPlot === 'undefined') return;
    const plots = [];
    for (const el of document.querySelectorAll('.chart[data-chart]')) {
      const draw = KINDS[el.dataset.chart];
      const data = charts[el.dataset.key];
      if (draw) {
        const plot = draw(el, data);
        if (plot) plots.push([el, plot]);
      }
    }
    let pending = 0;
    addEventListener('resize', () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => {
        for (const [el, plot] of plots) plot.setSize(size(el));
      });
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    let on = false;
    try {
      on = localStorage.getItem(KEY) === '1';
    } catch (_) {
      /* storage off */
    }
    const box = document.getElementById('auto-refresh');
    if (box) {
      box.checked = on;
      box.addEventListener('change', () => setRefresh(box.checked));
      if (on) setRefresh(true);
    }
    const sw = document.getElementById('worker-switch');
    if (sw)
      sw.addEventListener('change', () => {
        const url = new URL(location.href);
        if (sw.value) url.searchParams.set('worker', sw.value);
        else url.searchParams.delete('worker');
        location.href = url.toString();
      });
    document.addEventListener('keydown', (e) => {
      const t = e.target;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)))
        return;
      if (e.key === '/') {
        const f = document.getElementById('filter');
        if (f) {
          e.preventDefault();
          f.focus();
          f.select();
        }
      } else if (e.key === 'r' && box) {
        setRefresh(!box.checked);
      }
    });
    drawCharts();
  });
})();

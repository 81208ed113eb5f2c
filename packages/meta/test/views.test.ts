import { describe, expect, test } from 'vitest';
import { createMetaApp } from '../src/index.js';
import { richContext } from './fixtures.js';
import { cleanup, getJSON, serve, VIEW_PATHS } from './helpers.js';

async function metaURL(options: Parameters<typeof createMetaApp>[0] = {}) {
  const ctx = richContext();
  const meta = createMetaApp({ context: ctx, title: 'views-test', ...options });
  cleanup(() => meta.close());
  return { url: await serve(meta.handler), ctx, meta };
}

describe('JSON of every view (one process)', () => {
  test('each view answers 200 JSON to programs and an HTML page to browsers', async () => {
    const { url } = await metaURL();
    for (const path of VIEW_PATHS) {
      const json = await getJSON(`${url}${path}`);
      expect(json.status, path).toBe(200);
      expect(json.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(typeof json.body, path).toBe('object');
      const page = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type'), path).toMatch(/^text\/html/);
      const text = await page.text();
      expect(text, path).toContain('<nav aria-label="views">');
      expect(page.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      const viaQuery = await getJSON(`${url}${path}${path.includes('?') ? '&' : '?'}format=json`, {
        accept: 'text/html',
      });
      expect(viaQuery.headers.get('content-type'), path).toMatch(/^application\/json/);
    }
  });

  test('overview, stats and a stat page have their documented shapes', async () => {
    const { url } = await metaURL();
    const overview = (await getJSON(`${url}/`)).body;
    expect(overview.service).toMatchObject({
      title: 'views-test',
      kind: 'process',
      pid: process.pid,
      node: process.version,
    });
    expect(overview.loadavg).toHaveLength(3);
    expect(overview.memory.rss).toBeGreaterThan(0);
    expect(overview.counts).toMatchObject({ markov: 1, sketches: 1, components: 1, recentKeys: 1 });
    expect(overview.counts.durations).toBeGreaterThanOrEqual(1);
    expect(overview.views.map((v: { path: string }) => v.path)).toContain('/metrics');

    const stats = (await getJSON(`${url}/stats`)).body;
    expect(stats.total).toBe(stats.stats.length);
    expect(stats.stats.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['req.latency', 'resp.bytes', 'loop.delay.mean']),
    );
    const row = stats.stats.find((r: { name: string }) => r.name === 'req.latency');
    expect(row).toMatchObject({ kind: 'durations', n: 400, min: 0.5, max: 49.5 });
    expect(row.p50).toBeGreaterThan(20);
    expect(row.p50).toBeLessThan(30);
    expect(row.p99).toBeGreaterThan(row.p95 - 1e-9);
    const filtered = (await getJSON(`${url}/stats?prefix=resp.`)).body;
    expect(filtered.stats.map((r: { name: string }) => r.name)).toEqual(['resp.bytes']);
    const limited = (await getJSON(`${url}/stats?limit=1`)).body;
    expect(limited.shown).toBe(1);
    expect(limited.stats).toHaveLength(1);
    expect(limited.total).toBeGreaterThanOrEqual(3);

    const stat = (await getJSON(`${url}/stats/req.latency`)).body;
    expect(stat).toMatchObject({
      name: 'req.latency',
      kind: 'durations',
      type: 'duration',
      n: 400,
    });
    expect(stat.stddev).toBeGreaterThan(10);
    expect(stat.buckets.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(400);
    expect(stat.percentiles.map((p: { q: number }) => p.q)).toContain(0.99);
    expect(stat.recent.length).toBeGreaterThan(0);
    expect(stat.windows.perMinute.at(-1)[1]).toBe(400);
    expect(stat.snapshot.type).toBe('duration');
    expect((await getJSON(`${url}/stats/nope`)).status).toBe(404);
    expect((await getJSON(`${url}/stats/req.latency?kind=stats`)).status).toBe(404);
  });

  test('markov, sketches, recent, logs and components', async () => {
    const { url } = await metaURL();
    const markov = (await getJSON(`${url}/markov`)).body;
    const sockets = markov.machines.find((m: { name: string }) => m.name === 'sockets');
    expect(sockets.states.map((s: { state: string }) => s.state)).toEqual(
      expect.arrayContaining(['connecting', 'open']),
    );
    expect(sockets.transitions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'connecting', to: 'open', count: 1 }),
      ]),
    );

    const sketches = (await getJSON(`${url}/sketches`)).body;
    expect(sketches.sketches[0]).toMatchObject({ name: 'clients', n: 30 });
    expect(Math.round(sketches.sketches[0].cardinality)).toBe(7);
    expect(sketches.sketches[0].heavyHitters[0].count).toBeGreaterThanOrEqual(4);

    const recent = (await getJSON(`${url}/recent`)).body;
    expect(recent.keys).toEqual([expect.objectContaining({ key: 'conn', events: 2 })]);
    const conn = (await getJSON(`${url}/recent/conn`)).body;
    expect(conn.events.map((e: { direction: string }) => e.direction)).toEqual(['in', 'out']);
    expect((await getJSON(`${url}/recent/other`)).status).toBe(404);

    const logs = (await getJSON(`${url}/logs`)).body;
    expect(logs.records.map((r: { action: string }) => r.action)).toEqual(['QUERY', 'START']);
    expect(logs.loggers).toEqual(['app', 'db']);
    const warnOnly = (await getJSON(`${url}/logs?level=warn`)).body;
    expect(warnOnly.records.map((r: { action: string }) => r.action)).toEqual(['START']);
    const dbOnly = (await getJSON(`${url}/logs?logger=db`)).body;
    expect(dbOnly.records).toHaveLength(1);

    const components = (await getJSON(`${url}/components`)).body;
    expect(components.components).toEqual([
      { name: 'db-pool', kind: 'pool', status: { size: 3, idle: 1 } },
    ]);
  });

  test('process, environment, config, fds, routes, workers, event loop, long blocks, health', async () => {
    const { url } = await metaURL({
      routes: () => [{ name: 'api', routes: [{ methods: ['GET'], pattern: '/x' }] }],
    });
    const proc = (await getJSON(`${url}/process`)).body;
    expect(proc).toMatchObject({ pid: process.pid, platform: process.platform });
    expect(proc.versions.node).toBe(process.versions.node);
    expect(proc.memory.heapUsed).toBeGreaterThan(0);
    expect(Array.isArray(proc.argv)).toBe(true);

    const env = (await getJSON(`${url}/environment`)).body;
    expect(env.variables.PATH).toBe(process.env.PATH);

    const config = (await getJSON(`${url}/config`)).body;
    expect(config.config).toHaveProperty('longBlockThreshold');
    expect(config.meta).toMatchObject({
      source: 'process',
      authentication: false,
      allowMutations: false,
    });
    expect(config.registries.durations.size).toBeGreaterThanOrEqual(1);

    const fds = (await getJSON(`${url}/fds`)).body;
    if (process.platform === 'linux') {
      expect(fds.supported).toBe(true);
      const port = Number(new URL(url).port);
      const listener = fds.fds.find(
        (f: { socket?: { local: string; state: string } }) =>
          f.socket?.local === `127.0.0.1:${port}`,
      );
      expect(listener).toMatchObject({
        type: 'socket',
        known: 'listener',
        socket: { protocol: 'tcp', state: 'LISTEN' },
      });
      // The test's own connection shows from the server's side, joined to Node's socket.
      expect(
        fds.fds.some((f: { known?: string }) => f.known?.startsWith('connection to 127.0.0.1:')),
      ).toBe(true);
    }

    const routes = (await getJSON(`${url}/routes`)).body;
    expect(routes.applications.map((a: { name: string }) => a.name)).toEqual(['api', 'meta']);
    const own = routes.applications[1].routes.map((r: { pattern: string }) => r.pattern);
    expect(own).toEqual(expect.arrayContaining(['/stats/:name', '/metrics', '/healthz']));

    expect((await getJSON(`${url}/workers`)).body).toMatchObject({ kind: 'process', workers: [] });
    const loop = (await getJSON(`${url}/eventloop`)).body;
    expect(loop.delayMean).toMatchObject({ name: 'loop.delay.mean' });
    expect(loop.delayMean.n).toBeGreaterThanOrEqual(1);
    expect(typeof loop.monitor.running).toBe('boolean');
    expect(Array.isArray(loop.gc) && Array.isArray(loop.resources)).toBe(true);
    expect((await getJSON(`${url}/long-blocks`)).body).toMatchObject({ total: 0, longBlocks: [] });
    expect((await getJSON(`${url}/healthz`)).body).toMatchObject({
      status: 'ok',
      pid: process.pid,
    });
    expect((await getJSON(`${url}/readyz`)).body).toMatchObject({ status: 'ok' });
  });

  test('/metrics answers Prometheus text, and OpenMetrics when asked', async () => {
    const { url } = await metaURL();
    const text = await fetch(`${url}/metrics`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await text.text();
    expect(body).toMatch(/^# (HELP|TYPE) /m);
    expect(body).toMatch(/^support_req_latency_seconds_count 400$/m);
    const om = await fetch(`${url}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    expect((await om.text()).trimEnd().endsWith('# EOF')).toBe(true);
  });

  test('HTML escapes what the service recorded', async () => {
    const { url } = await metaURL();
    const page = await (await fetch(`${url}/logs`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('started &lt;b&gt;ok&lt;/b&gt;');
    expect(page).not.toContain('<b>ok</b>');
    const json = await (await fetch(`${url}/logs?format=json`)).text();
    expect(json).not.toContain('<b>');
  });

  test('assets are served from the package (uPlot from the installed uplot), others 404', async () => {
    const { url } = await metaURL();
    for (const name of ['meta.css', 'meta.js', 'flame.js', 'uPlot.iife.min.js', 'uPlot.min.css']) {
      const r = await fetch(`${url}/assets/${name}`);
      expect(r.status, name).toBe(200);
      expect((await r.arrayBuffer()).byteLength, name).toBeGreaterThan(500);
    }
    expect((await fetch(`${url}/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/assets/other.js`)).status).toBe(404);
  });

  test('links honour an Express-style mount prefix (originalUrl)', async () => {
    const ctx = richContext();
    const meta = createMetaApp({ context: ctx });
    cleanup(() => meta.close());
    const url = await serve((req, res) => {
      const original = req.url ?? '/';
      if (!original.startsWith('/ops/meta')) {
        res.statusCode = 404;
        res.end();
        return;
      }
      (req as { originalUrl?: string }).originalUrl = original;
      req.url = original.slice('/ops/meta'.length) || '/';
      meta.handler(req, res);
    });
    const page = await (
      await fetch(`${url}/ops/meta/stats`, { headers: { accept: 'text/html' } })
    ).text();
    expect(page).toContain('href="/ops/meta/stats/req.latency?kind=durations"');
    expect(page).toContain('src="/ops/meta/assets/uPlot.iife.min.js"');
    expect((await fetch(`${url}/ops/meta/assets/meta.css`)).status).toBe(200);
  });

  test('options are validated with messages naming the option', () => {
    expect(() => createMetaApp({ token: 'short' })).toThrow(/options\.token/);
    expect(() => createMetaApp({ maxRows: 0 })).toThrow(/options\.maxRows/);
    expect(() => createMetaApp({ bogus: 1 } as never)).toThrow(
      /options\.bogus is not a known option/,
    );
    expect(() => createMetaApp({ tokn: 'x' } as never)).toThrow(/did you mean "token"\?/);
    expect(() => createMetaApp({ source: {} as never })).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_META_INVALID_OPTION' }),
    );
  });

  test('responses over maxResponseBytes are refused with a hint', async () => {
    const { url } = await metaURL({ maxResponseBytes: 2000 });
    const r = await getJSON(`${url}/process`);
    expect(r.status).toBe(500);
    expect(r.body.error.message).toMatch(/maxResponseBytes/);
  });

  test('requests share a snapshot for snapshotTtl ms; mutations drop it', async () => {
    const { url, ctx } = await metaURL({ snapshotTtl: 60_000, allowMutations: true });
    // Counted under a prefix of their own: the monitor may add statistics meanwhile.
    const fresh = async (u: string) => (await getJSON(`${u}/stats?prefix=new.`)).body.total;
    expect(await fresh(url)).toBe(0);
    ctx.stats.get('new.stat').add(1);
    expect(await fresh(url)).toBe(0);
    await fetch(`${url}/log-level`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"level":"info"}',
    });
    expect(await fresh(url)).toBe(1);
    const uncached = await metaURL({ snapshotTtl: 0 });
    expect(await fresh(uncached.url)).toBe(0);
    uncached.ctx.stats.get('new.stat').add(1);
    expect(await fresh(uncached.url)).toBe(1);
  });

  test('after close() every route answers 503', async () => {
    const { url, meta } = await metaURL();
    await meta.close();
    expect((await fetch(`${url}/stats`)).status).toBe(503);
  });
});

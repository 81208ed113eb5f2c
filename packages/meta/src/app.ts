import { getContext } from '@support/context';
import { Application, HTTPError, type Middleware, Response, route } from '@support/web';
import { SnapshotCache } from './cache.js';
import { httpError } from './errors.js';
import { loginRoutes } from './login.js';
import { mutationRoutes, profileRoutes } from './mutations.js';
import { type MetaAppOptions, metaDefaults, validateOptions } from './options.js';
import { Redactor } from './redact.js';
import { authMiddleware, headersMiddleware, mutationMiddleware } from './security.js';
import { localSource, type MetaSource } from './sources.js';
import { type MetaState, mountBase } from './state.js';
import { ASSET_NAMES, asset } from './static.js';
import { componentsView, routesView, workersView } from './views/components.js';
import { logsView, markovView, recentKeyView, recentView, sketchesView } from './views/data.js';
import { healthzView, readyzView } from './views/health.js';
import { metricsRoute } from './views/metrics.js';
import { configView, environmentView, fdsView, processView } from './views/process.js';
import { profileView } from './views/profile.js';
import { eventLoopView, longBlocksView, overviewView } from './views/runtime.js';
import { statGraphsView, statsView, statView } from './views/stats.js';
import { respond, type View, viewInput } from './views/view.js';

/** A `@support/web` Application serving the meta views, plus `close()`. */
export type MetaApp = Application & {
  /** Where the facts come from. */
  readonly source: MetaSource;
  /** Stops a profile this app started and refuses further requests with 503. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

/**
 * The MetaApplication: every runtime fact of the service as HTML pages, JSON
 * (`Accept: application/json` or `?format=json`) and Prometheus text.
 * Serve it on its own port: `http.createServer(meta.handler).listen(8889, '127.0.0.1')`.
 */
export function createMetaApp(options: MetaAppOptions = {}): MetaApp {
  validateOptions(options);
  const o = { ...metaDefaults, ...options };
  const source = o.source ?? localSource(o.context ?? getContext());
  const state: MetaState = {
    source,
    token: o.token,
    allowMutations: o.allowMutations,
    heapSnapshotDir: o.heapSnapshotDir,
    redactor: new Redactor(o.redact),
    title: o.title ?? process.title,
    routes: o.routes,
    maxResponseBytes: o.maxResponseBytes,
    maxRows: o.maxRows,
    minReadyWorkers: o.minReadyWorkers,
    ownRoutes: [],
    lastProfile: undefined,
    profilingWorker: undefined,
    closed: false,
    cache: new SnapshotCache(o.snapshotTtl),
    base: mountBase,
  };
  const auth = authMiddleware(state);
  const guard = mutationMiddleware(state);
  const closedGuard: Middleware = {
    name: 'metaClosed',
    async request(next) {
      if (state.closed)
        return new Response('meta app closed', {
          status: 503,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
      return next();
    },
  };
  const view = <T>(v: View<T>, pattern = v.path, open = false) =>
    route(
      pattern,
      async ({ request, query, params }) => {
        try {
          return await respond(v, viewInput(state, { request, query, params }));
        } catch (error) {
          throw httpError(error);
        }
      },
      undefined,
      { middlewares: open ? [] : [auth], name: pattern },
    );
  const routes = [
    view(healthzView, '/healthz', true),
    view(readyzView, '/readyz', true),
    route(
      '/assets/:file',
      ({ params }) => {
        const a = ASSET_NAMES.includes(params.file ?? '')
          ? asset(params.file as string)
          : undefined;
        if (a === undefined) throw new HTTPError(404, 'no such asset');
        return new Response(a.body, {
          headers: { 'content-type': a.type, 'cache-control': 'public, max-age=3600' },
        });
      },
      undefined,
      { name: 'asset' },
    ),
    // Browsers ask for it on non-HTML pages (/metrics); the pages declare an empty icon.
    route('/favicon.ico', () => new Response(null, { status: 204 }), undefined, {
      name: 'favicon',
    }),
    ...loginRoutes(state),
    view(overviewView, '/'),
    view(statsView),
    view(statView, '/stats/:name'),
    view(statGraphsView),
    view(markovView),
    view(sketchesView),
    view(workersView),
    view(eventLoopView),
    view(longBlocksView),
    view(processView),
    view(environmentView),
    view(configView),
    view(fdsView),
    view(componentsView),
    view(routesView),
    view(recentView),
    view(recentKeyView, '/recent/:key'),
    view(logsView),
    view(profileView),
    ...profileRoutes(state, auth, guard),
    metricsRoute(state, auth),
    ...mutationRoutes(state, auth, guard),
  ];
  const app = new Application(routes, {
    middlewares: [headersMiddleware(state), closedGuard],
    maxParamLength: 1000,
    // Errors reach the support:web:error diagnostics channel; a library prints nothing.
    onError: () => {},
  });
  state.ownRoutes = app.routes;
  const close = async (): Promise<void> => {
    if (state.closed) return;
    state.closed = true;
    if (state.profilingWorker !== undefined) {
      const worker = state.profilingWorker ?? undefined;
      state.profilingWorker = undefined;
      await source.command(worker, 'profile:stop').catch(() => undefined);
    }
  };
  return Object.assign(app, {
    source,
    close,
    [Symbol.asyncDispose]: close,
  }) as MetaApp;
}

import { mergeSnapshots } from '@support/context';
import { type Middleware, Response, route } from '@support/web';
import { httpError } from '../errors.js';
import { negotiateMetricsFormat, renderPrometheus } from '../prometheus/index.js';
import type { MetaState } from '../state.js';
import { pickWorker, q, snapshot } from './view.js';

/**
 * GET /metrics: Prometheus text (OpenMetrics when the scraper's Accept asks
 * for it) of the service; under prefork the workers' snapshots merged, with
 * `?by=worker` adding each worker's own series under a `worker` label, and
 * `?worker=ID` rendering one worker alone.
 */
export function metricsRoute(state: MetaState, auth: Middleware) {
  return route(
    '/metrics',
    async ({ request, query }) => {
      const { openMetrics, contentType } = negotiateMetricsFormat(request.headers.accept);
      try {
        const source = state.source;
        const worker = pickWorker(state, query);
        let body: string;
        if (worker === undefined && source.kind === 'prefork' && source.workerSnapshots) {
          const collect = source.workerSnapshots;
          const parts = await state.cache.get('parts', () => collect.call(source));
          if (parts.length === 0)
            throw httpError(
              Object.assign(new Error('no worker answered with a snapshot'), {
                code: 'SUP_ERR_META_NO_WORKER',
              }),
            );
          body = renderPrometheus(mergeSnapshots(parts.map((p) => p.snapshot)), {
            openMetrics,
            workerSnapshots: parts,
            workerLabels: q({ query }, 'by') === 'worker',
          });
        } else {
          body = renderPrometheus(await snapshot({ state, worker }), { openMetrics });
        }
        return new Response(body, { headers: { 'content-type': contentType, vary: 'Accept' } });
      } catch (error) {
        throw httpError(error);
      }
    },
    undefined,
    { middlewares: [auth], name: 'metrics' },
  );
}

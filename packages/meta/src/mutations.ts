import {
  HTTPError,
  type Middleware,
  prefersJSON,
  type RequestContext,
  Response,
  route,
} from '@support/web';
import { httpError } from './errors.js';
import { safeJSON } from './html/json.js';
import type { MetaState } from './state.js';
import { pickWorker } from './views/view.js';

/** Answer of a mutation: JSON for programs, a redirect back to the page for forms. */
export function mutationAnswer(
  ctx: Pick<RequestContext, 'request' | 'query'>,
  base: string,
  back: string,
  result: unknown,
): Response {
  if (prefersJSON(ctx)) {
    return new Response(safeJSON({ ok: true, result }), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }
  return new Response(null, { status: 303, headers: { location: `${base}${back}` } });
}

/** The worker a mutation acts on: `?worker=` or a `worker` body field. */
export function targetWorker(
  state: MetaState,
  query: Record<string, string | string[]>,
  body: unknown,
): string | undefined {
  const fromBody = (body as { worker?: unknown } | null)?.worker;
  const v = pickWorker(state, query);
  if (v !== undefined) return v;
  if (
    state.source.kind === 'prefork' &&
    (typeof fromBody === 'string' || typeof fromBody === 'number') &&
    String(fromBody) !== ''
  )
    return String(fromBody);
  return undefined;
}

function withWorker(path: string, worker: string | undefined): string {
  return worker === undefined ? path : `${path}?worker=${encodeURIComponent(worker)}`;
}

/** POST /log-level, /reset-stats, /heap-snapshot: mutations, guarded by `guard`. */
export function mutationRoutes(state: MetaState, auth: Middleware, guard: Middleware) {
  const opts = (name: string) => ({ middlewares: [auth, guard], name, bodyLimit: 16384 });
  const run = async (worker: string | undefined, op: string, arg?: unknown) => {
    try {
      return await state.source.command(worker, op, arg);
    } catch (error) {
      throw httpError(error);
    } finally {
      state.cache.clear();
    }
  };
  return [
    route(
      'POST',
      '/log-level',
      async ({ request, query, body }) => {
        const b = (body ?? {}) as { level?: unknown; logger?: unknown };
        const level = b.level ?? (Array.isArray(query.level) ? query.level[0] : query.level);
        if (typeof level !== 'string')
          throw new HTTPError(400, 'level is required (debug, info, warn, critical)');
        const logger = typeof b.logger === 'string' && b.logger !== '' ? b.logger : undefined;
        const worker = targetWorker(state, query, body);
        const result = await run(worker, 'log-level', { level, logger });
        return mutationAnswer(
          { request, query },
          state.base(request),
          withWorker('/logs', worker),
          result,
        );
      },
      undefined,
      opts('logLevel'),
    ),
    route(
      'POST',
      '/reset-stats',
      async ({ request, query, body }) => {
        const worker = targetWorker(state, query, body);
        const result = await run(worker, 'reset-stats');
        return mutationAnswer(
          { request, query },
          state.base(request),
          withWorker('/stats', worker),
          result,
        );
      },
      undefined,
      opts('resetStats'),
    ),
    route(
      'POST',
      '/heap-snapshot',
      async ({ request, query, body }) => {
        if (state.heapSnapshotDir === undefined)
          throw new HTTPError(
            409,
            'heap snapshots are off: createMetaApp({ heapSnapshotDir }) turns them on',
          );
        const worker = targetWorker(state, query, body);
        const result = await run(worker, 'heap-snapshot', { dir: state.heapSnapshotDir });
        return mutationAnswer(
          { request, query },
          state.base(request),
          withWorker('/profile', worker),
          result,
        );
      },
      undefined,
      opts('heapSnapshot'),
    ),
  ];
}

/** POST /profile/start and /profile/stop (mutations), GET /profile/cpuprofile (the last profile). */
export function profileRoutes(state: MetaState, auth: Middleware, guard: Middleware) {
  const opts = (name: string) => ({ middlewares: [auth, guard], name, bodyLimit: 16384 });
  return [
    route(
      'POST',
      '/profile/start',
      async ({ request, query, body }) => {
        const worker = targetWorker(state, query, body);
        if (state.profilingWorker !== undefined)
          throw new HTTPError(409, 'a profile is already being taken');
        try {
          await state.source.command(worker, 'profile:start');
        } catch (error) {
          throw httpError(error);
        }
        state.profilingWorker = worker ?? null;
        state.cache.clear();
        return mutationAnswer(
          { request, query },
          state.base(request),
          withWorker('/profile', worker),
          { sampling: true, worker: worker ?? null },
        );
      },
      undefined,
      opts('profileStart'),
    ),
    route(
      'POST',
      '/profile/stop',
      async ({ request, query }) => {
        if (state.profilingWorker === undefined)
          throw new HTTPError(409, 'no profile is being taken (POST /profile/start first)');
        const worker = state.profilingWorker ?? undefined;
        let result: { hotspots?: unknown[]; profile?: unknown };
        try {
          result = (await state.source.command(worker, 'profile:stop')) as typeof result;
        } catch (error) {
          throw httpError(error);
        } finally {
          state.profilingWorker = undefined;
          state.cache.clear();
        }
        state.lastProfile = {
          worker: worker ?? null,
          takenAt: Date.now(),
          hotspots: Array.isArray(result?.hotspots) ? result.hotspots : [],
          profile: result?.profile ?? null,
        };
        return mutationAnswer(
          { request, query },
          state.base(request),
          withWorker('/profile', worker),
          {
            worker: worker ?? null,
            hotspots: state.lastProfile.hotspots,
          },
        );
      },
      undefined,
      opts('profileStop'),
    ),
    route(
      '/profile/cpuprofile',
      () => {
        const last = state.lastProfile;
        if (last?.profile == null) throw new HTTPError(404, 'no profile taken yet');
        const name = `profile-${last.worker ?? process.pid}-${new Date(last.takenAt).toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
        return new Response(JSON.stringify(last.profile), {
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-disposition': `attachment; filename="${name}"`,
          },
        });
      },
      undefined,
      { middlewares: [auth], name: 'cpuprofile' },
    ),
  ];
}

import type { IncomingMessage } from 'node:http';
import type { ContextSnapshot } from '@support/context';
import { prefersJSON, Response, type SafeHTML } from '@support/web';
import { safeJSON } from '../html/json.js';
import { page } from '../html/layout.js';
import type { MetaState } from '../state.js';

/** What a view gets to build its data and its page. */
export interface ViewInput {
  readonly state: MetaState;
  readonly request: IncomingMessage;
  readonly query: Record<string, string | string[]>;
  readonly params: Record<string, string>;
  /** Mount prefix for links. */
  readonly base: string;
  /** The worker chosen with `?worker=` (prefork), undefined for all merged. */
  readonly worker: string | undefined;
}

/** One view: JSON for programs, HTML for people, from the same data. */
export interface View<T> {
  readonly path: string;
  readonly title: string | ((data: T, v: ViewInput) => string);
  data(v: ViewInput): Promise<T> | T;
  page(data: T, v: ViewInput): SafeHTML;
  /** HTTP status from the data (e.g. 503 for /readyz). */
  status?(data: T): number;
}

/** A single string query parameter (the first when repeated). */
export function q(v: Pick<ViewInput, 'query'>, name: string): string | undefined {
  const value = v.query[name];
  const s = Array.isArray(value) ? value[0] : value;
  return s === undefined || s === '' ? undefined : s;
}

/** `?limit=` bounded by maxRows. */
export function limit(v: ViewInput, fallback = v.state.maxRows): number {
  const n = Number(q(v, 'limit'));
  const max = v.state.maxRows;
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : Math.min(fallback, max);
}

/** The snapshot of the chosen worker, or of all merged. */
export function snapshot(v: Pick<ViewInput, 'state' | 'worker'>): Promise<ContextSnapshot> {
  const { source, cache } = v.state;
  return cache.get(`snapshot:${v.worker ?? '*'}`, () => source.snapshot(v.worker));
}

/** The query string (with `?`) of this request, for the JSON link. */
function queryString(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const i = url.indexOf('?');
  return i < 0 ? '' : url.slice(i);
}

/** Runs a view and answers in the format the client prefers. */
export async function respond<T>(view: View<T>, v: ViewInput): Promise<Response> {
  const data = await view.data(v);
  const status = view.status?.(data) ?? 200;
  if (prefersJSON(v)) {
    return new Response(safeJSON(data), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', vary: 'Accept' },
    });
  }
  let workers: string[] | undefined;
  if (v.state.source.kind === 'prefork') {
    workers = ((await v.state.source.workers()) as Array<{ id?: unknown }>).map((w) =>
      String(w.id),
    );
  }
  const title = typeof view.title === 'function' ? view.title(data, v) : view.title;
  return new Response(
    page({
      title,
      body: view.page(data, v),
      base: v.base,
      service: v.state.title,
      current: view.path,
      workers,
      worker: v.worker,
      query: queryString(v.request),
    }),
    { status, headers: { 'content-type': 'text/html; charset=utf-8', vary: 'Accept' } },
  );
}

/** The worker chosen with `?worker=` (prefork only; ignored in one process). */
export function pickWorker(
  state: MetaState,
  query: Record<string, string | string[]>,
): string | undefined {
  const w = query.worker;
  const worker = Array.isArray(w) ? w[0] : w;
  return state.source.kind === 'prefork' && worker !== undefined && worker !== ''
    ? worker
    : undefined;
}

/** Builds the ViewInput of a request. */
export function viewInput(
  state: MetaState,
  ctx: {
    request: IncomingMessage;
    query: Record<string, string | string[]>;
    params: Record<string, string>;
  },
): ViewInput {
  return {
    state,
    request: ctx.request,
    query: ctx.query,
    params: ctx.params,
    base: state.base(ctx.request),
    worker: pickWorker(state, ctx.query),
  };
}

import { type Context, didYouMean } from '@support/context';
import { codes, MetaError } from './errors.js';
import type { MetaSource } from './sources.js';

/** A route table shown by `/routes`. */
export interface RouteTable {
  name: string;
  routes: unknown;
}

/** Options of {@link createMetaApp}. */
export interface MetaAppOptions {
  /**
   * The Context to show, when no `source` is given.
   * @default getContext() (the default context)
   */
  context?: Context;
  /**
   * Where the facts come from: `localSource(context)` or `arbiterSource(arbiter)`.
   * @default localSource(context)
   */
  source?: MetaSource;
  /**
   * A secret every route but `/healthz` and `/readyz` requires (Bearer header
   * or the login form's cookie). At least 16 characters.
   * @default undefined (no authentication: bind to 127.0.0.1)
   */
  token?: string;
  /**
   * Turns on the POST routes that change the process: log level, reset of the
   * stats, profiling and heap snapshots.
   * @default false
   */
  allowMutations?: boolean;
  /**
   * Directory where `POST /heap-snapshot` writes; without it the route answers 409.
   * @default undefined
   */
  heapSnapshotDir?: string;
  /**
   * Extra name patterns (strings match anywhere, case-insensitive) whose
   * environment variables and flags are masked, on top of the built-in words.
   * @default []
   */
  redact?: ReadonlyArray<string | RegExp>;
  /**
   * Service name shown in the pages' header and on the overview.
   * @default process.title
   */
  title?: string;
  /**
   * Route tables of the applications the service serves, for `/routes`
   * (components of kind `web-app` are listed too).
   * @default undefined
   */
  routes?: () => RouteTable[];
  /**
   * Largest response body in bytes; a larger view answers 500 asking for a filter.
   * @default 16777216 (16 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Most rows a list view returns (`?limit=` may ask for fewer).
   * @default 2000
   */
  maxRows?: number;
  /**
   * Milliseconds a snapshot is shared by the requests that follow it (a
   * scrape of /metrics and /stats, a page and its refresh); 0 takes a fresh
   * one per request. Mutations always drop it.
   * @default 1000
   */
  snapshotTtl?: number;
  /**
   * Workers that must be ready for `/readyz` to say ready (prefork only).
   * @default 1
   */
  minReadyWorkers?: number;
}

export const metaDefaults = {
  allowMutations: false,
  redact: [] as ReadonlyArray<string | RegExp>,
  maxResponseBytes: 16 * 1024 * 1024,
  maxRows: 2000,
  minReadyWorkers: 1,
  snapshotTtl: 1000,
} as const;

const KNOWN = new Set([
  'context',
  'source',
  'token',
  'allowMutations',
  'heapSnapshotDir',
  'redact',
  'title',
  'routes',
  'maxResponseBytes',
  'maxRows',
  'minReadyWorkers',
  'snapshotTtl',
]);

function fail(message: string): never {
  throw new MetaError(codes.INVALID_OPTION, message);
}

function positiveInt(name: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1)
    fail(`options.${name} must be a positive integer`);
}

/** Checks the options; messages name the option. */
export function validateOptions(options: MetaAppOptions): void {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`options.${key} is not a known option${didYouMean(key, [...KNOWN])}`);
  }
  const o = options;
  if (o.context !== undefined && typeof o.context?.snapshot !== 'function')
    fail('options.context must be a Context');
  if (o.source !== undefined) {
    const s = o.source as Partial<MetaSource> | null;
    if (
      s === null ||
      typeof s !== 'object' ||
      (s.kind !== 'process' && s.kind !== 'prefork') ||
      typeof s.snapshot !== 'function' ||
      typeof s.workers !== 'function' ||
      typeof s.status !== 'function' ||
      typeof s.command !== 'function'
    )
      fail('options.source must be a MetaSource (localSource(context) or arbiterSource(arbiter))');
  }
  if (o.token !== undefined && (typeof o.token !== 'string' || o.token.length < 16))
    fail('options.token must be a string of at least 16 characters');
  if (o.allowMutations !== undefined && typeof o.allowMutations !== 'boolean')
    fail('options.allowMutations must be a boolean');
  if (
    o.heapSnapshotDir !== undefined &&
    (typeof o.heapSnapshotDir !== 'string' || o.heapSnapshotDir === '')
  )
    fail('options.heapSnapshotDir must be a directory path');
  if (
    o.redact !== undefined &&
    (!Array.isArray(o.redact) ||
      !o.redact.every((p) => typeof p === 'string' || p instanceof RegExp))
  )
    fail('options.redact must be an array of strings and RegExps');
  if (o.title !== undefined && typeof o.title !== 'string') fail('options.title must be a string');
  if (o.routes !== undefined && typeof o.routes !== 'function')
    fail('options.routes must be a function returning route tables');
  if (o.maxResponseBytes !== undefined) positiveInt('maxResponseBytes', o.maxResponseBytes);
  if (o.maxRows !== undefined) positiveInt('maxRows', o.maxRows);
  if (o.minReadyWorkers !== undefined) positiveInt('minReadyWorkers', o.minReadyWorkers);
  if (
    o.snapshotTtl !== undefined &&
    (typeof o.snapshotTtl !== 'number' || !Number.isFinite(o.snapshotTtl) || o.snapshotTtl < 0)
  )
    fail('options.snapshotTtl must be a number of ms >= 0');
}

import type { IncomingMessage } from 'node:http';
import type { SnapshotCache } from './cache.js';
import type { RouteTable } from './options.js';
import type { Redactor } from './redact.js';
import type { MetaSource } from './sources.js';

/** The last profile taken, kept for `/profile` and its download. */
export interface ProfileResult {
  worker: string | null;
  takenAt: number;
  hotspots: unknown[];
  profile: unknown;
}

/** What every view of one meta app shares. */
export interface MetaState {
  readonly source: MetaSource;
  readonly token: string | undefined;
  readonly allowMutations: boolean;
  readonly heapSnapshotDir: string | undefined;
  readonly redactor: Redactor;
  readonly title: string;
  readonly routes: (() => RouteTable[]) | undefined;
  readonly maxResponseBytes: number;
  readonly maxRows: number;
  readonly minReadyWorkers: number;
  /** The app's own route table (filled in once the Application is built). */
  ownRoutes: unknown;
  lastProfile: ProfileResult | undefined;
  profilingWorker: string | null | undefined;
  closed: boolean;
  /** Snapshots shared by requests that arrive together; cleared by mutations. */
  readonly cache: SnapshotCache;
  /** The path the app is mounted under (from Express's `originalUrl`), '' at the root. */
  base(request: IncomingMessage): string;
}

/** The mount prefix: what `originalUrl` has in front of `url` (Express strips it). */
export function mountBase(request: IncomingMessage): string {
  const original = (request as { originalUrl?: unknown }).originalUrl;
  const url = request.url ?? '/';
  if (typeof original !== 'string' || original === url || !original.endsWith(url)) return '';
  const base = original.slice(0, original.length - url.length);
  return /^\/[^?#]*$/.test(base) ? base.replace(/\/$/, '') : '';
}

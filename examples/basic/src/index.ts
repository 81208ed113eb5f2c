// The port of SuPPort's basic_wsgi.py: "Welcome to SuPPort!" on 8888, the
// meta app on 8889, preforked with 2 workers, plus a route that calls a
// backend through ConnectionManager and one that does CPU work in a thread.
import { Group, type GroupOptions, threadpool } from '@support/core';
import { createApp } from './app.js';

export { createApp } from './app.js';
export { type Backend, startBackend } from './backend.js';
export { countPrimes, primesBelow } from './tasks.js';

/** Thread pool options for running the example from its TypeScript sources. */
export const fromSource = {
  preload: [new URL('./ts-threads.mjs', import.meta.url)],
  execArgv: ['--conditions=@support/source'],
};

export interface BasicOptions {
  /** @default 8888 */
  port?: number;
  /** @default 8889 */
  metaPort?: number;
  /** @default '0.0.0.0' */
  host?: string;
  /** @default 2 */
  workers?: number;
  /** Port of the backend on 127.0.0.1. */
  backendPort: number;
  /** Further Group options. */
  group?: Partial<GroupOptions>;
}

/**
 * The example's Group. Build it the same way in the primary and in every
 * worker (the arbiter runs this same script in each worker process).
 */
export function createBasicGroup(options: BasicOptions): Group {
  threadpool.configurePools({ cpu: fromSource });
  const { app } = createApp({ backendPort: options.backendPort });
  return new Group({
    http: [{ app, address: { host: options.host ?? '0.0.0.0', port: options.port ?? 8888 } }],
    metaAddress: { host: '127.0.0.1', port: options.metaPort ?? 8889 },
    prefork: true,
    numWorkers: options.workers ?? 2,
    ...options.group,
  });
}

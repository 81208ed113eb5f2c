// The example's web application: the welcome page, a route that calls the
// backend through ConnectionManager, and a route that does CPU work in the
// thread pool.
import {
  Application,
  BufferedSocket,
  ConnectionManager,
  HTTPError,
  Response,
  route,
  web,
} from '@support/core';
import { primesBelow } from './tasks.js';

export interface AppOptions {
  /** Port of the line-protocol backend on 127.0.0.1. */
  backendPort: number;
}

export interface BasicApp {
  app: Application;
  close(): Promise<void>;
}

export function createApp(options: AppOptions): BasicApp {
  // Made on first use, so it reports into the Context of the process that
  // serves (a prefork worker's), which exists only once the worker runs.
  let mgr: ConnectionManager | undefined;
  const manager = () => {
    mgr ??= new ConnectionManager({ addressGroups: {}, connectTimeout: 1000 });
    return mgr;
  };

  async function pingBackend(): Promise<string> {
    const sock = await manager().getConnection(`127.0.0.1:${options.backendPort}`, {
      signal: AbortSignal.timeout(2000),
    });
    const bs = new BufferedSocket(sock.socket, { timeout: 1000 });
    try {
      await bs.sendAll('PING\n');
      const line = (await bs.recvUntil('\n')).toString().trim();
      const { buffered } = bs.detach();
      if (buffered.length === 0) manager().release(sock);
      else sock.destroy();
      return line;
    } catch (error) {
      sock.destroy();
      throw error;
    }
  }

  const app = new Application([
    route(
      '/',
      () =>
        new Response('Welcome to SuPPort!\n', {
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        }),
    ),
    route(
      '/backend',
      async () => {
        try {
          const reply = await pingBackend();
          return { backend: reply, worker: process.pid };
        } catch (error) {
          throw new HTTPError(502, `backend unavailable: ${(error as Error).message}`);
        }
      },
      web.renderJSON,
    ),
    route(
      '/cpu',
      async ({ query }: { query: Record<string, string | string[]> }) => {
        const limit = Number(query.limit ?? 2_000_000);
        if (!Number.isInteger(limit) || limit < 2 || limit > 50_000_000) {
          throw new HTTPError(400, 'limit must be an integer from 2 to 50000000');
        }
        const started = performance.now();
        const primes = await primesBelow(limit);
        return { limit, primes, ms: Math.round(performance.now() - started), worker: process.pid };
      },
      web.renderJSON,
    ),
  ]);
  return { app, close: async () => mgr?.close() };
}

import { createServer } from 'node:http';
import type { Context } from '@support/context';
import { createMetaApp, type MetaAppOptions } from '@support/meta';
import { boundAddress, listen, type ResolvedAddress } from './address.js';

// The meta app on its own port, outside admission: introspection has to keep
// answering while the service sheds load.

export interface MetaServing {
  address: ResolvedAddress;
  /** Closes the meta app but keeps its port: /readyz answers 503 while the group drains. */
  closeApp(): Promise<void>;
  close(): Promise<void>;
}

export async function startMeta(
  address: ResolvedAddress,
  context: Context,
  options: Record<string, unknown>,
  source: unknown,
  routes?: () => Array<{ name: string; routes: unknown }>,
): Promise<MetaServing> {
  const app = createMetaApp({
    context,
    ...(source === undefined ? {} : { source }),
    ...(routes === undefined ? {} : { routes }),
    ...options,
  } as MetaAppOptions);
  const server = createServer(app.handler);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 20_000;
  try {
    await listen(server, address);
  } catch (error) {
    await app.close?.();
    throw error;
  }
  return {
    address: boundAddress(server, address),
    closeApp: async () => {
      await app.close?.();
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close?.();
    },
  };
}

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface Served {
  server: Server;
  base: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0, and closes every connection on close(). */
export async function serve(handler: RequestListener): Promise<Served> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** For a test file: serve(handler) whose server is closed after each test. */
export function serveEach(): (handler: RequestListener) => Promise<Served> {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });
  return async (handler) => {
    await served?.close();
    served = await serve(handler);
    return served;
  };
}

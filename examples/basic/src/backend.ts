// The backend the example calls: a tiny line-protocol service on 127.0.0.1.
// `PING\n` → `PONG <pid> <iso time>\n`; anything else → `ERR unknown command\n`.
import { createServer, type Server } from 'node:net';
import { BufferedSocket } from '@support/core';

export interface Backend {
  port: number;
  close(): Promise<void>;
}

/** Starts the backend on 127.0.0.1 (port 0 picks a free one). */
export async function startBackend(port = 0): Promise<Backend> {
  const server: Server = createServer(async (socket) => {
    socket.on('error', () => {});
    const bs = new BufferedSocket(socket, { timeout: 30_000 });
    try {
      for (;;) {
        const line = (await bs.recvUntil('\n')).toString().trim();
        const reply =
          line === 'PING'
            ? `PONG ${process.pid} ${new Date().toISOString()}`
            : 'ERR unknown command';
        await bs.sendAll(`${reply}\n`);
      }
    } catch {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

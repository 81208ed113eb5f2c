import { chmodSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { boundAddress, listen, type ResolvedAddress } from './address.js';

// A Node REPL for the people who run the service: `group` and `context` in
// scope. It runs arbitrary code, so it is only ever reachable by the owner of
// the process: a Unix socket with mode 0600, or a loopback TCP port
// (options validation refuses other hosts). node:repl is imported only when a
// console is asked for: it loads node:domain, which slows down every
// EventEmitter of the process.

export interface ConsoleServer {
  address: ResolvedAddress;
  close(): Promise<void>;
}

export async function startConsole(
  address: ResolvedAddress,
  scope: Record<string, unknown>,
): Promise<ConsoleServer> {
  const { start: startRepl } = await import('node:repl');
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const repl = startRepl({
      prompt: `support[${process.pid}]> `,
      input: socket,
      output: socket,
      terminal: false,
      useGlobal: false,
    });
    Object.assign(repl.context, scope);
    repl.on('exit', () => socket.end());
  });
  if (address.kind === 'unix') {
    // Created with mode 0600 from the start: umask for the bind, chmod to be sure.
    const old = process.umask(0o177);
    try {
      await listen(server, address);
    } finally {
      process.umask(old);
    }
    chmodSync(address.path, 0o600);
  } else {
    await listen(server, address);
  }
  return {
    address: boundAddress(server, address),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

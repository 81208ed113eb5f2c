import { once } from 'node:events';
import net from 'node:net';

export interface Pair {
  /** Our end, to wrap in a BufferedSocket. */
  local: net.Socket;
  /** The peer's end, written to by the test. */
  remote: net.Socket;
  close(): Promise<void>;
}

/** A connected pair of real TCP sockets on 127.0.0.1. */
export async function tcpPair(options: { allowHalfOpen?: boolean } = {}): Promise<Pair> {
  const server = net.createServer({ allowHalfOpen: options.allowHalfOpen ?? false });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const local = net.connect({
    port,
    host: '127.0.0.1',
    allowHalfOpen: options.allowHalfOpen ?? false,
  });
  await once(local, 'connect');
  const [remote] = await accepted;
  server.close();
  return {
    local,
    remote,
    async close() {
      local.destroy();
      remote.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes `data` to the peer and waits until the kernel has it. */
export function write(socket: net.Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (e) => (e ? reject(e) : resolve())));
}

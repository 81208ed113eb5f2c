import type { Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Context } from '@support/context';
import { appErrorChannel } from './diagnostics.js';
import { TcpInstruments } from './instrument.js';
import type { ResolvedTcp } from './options.js';

/** The serving side of one TCP entry. */
export interface TcpServing {
  readonly instruments: TcpInstruments;
  dispatch(socket: Socket): void;
  /** Aborts the handlers' signal: the group is stopping. */
  drain(): void;
  /** Destroys every connection still open. */
  closeAll(): void;
  close(): void;
}

/** Runs a TCP entry's handler on each connection (after a TLS handshake when configured). */
export function createTcpServing(
  entry: ResolvedTcp,
  context: Context,
  handshakeTimeout: number,
): TcpServing {
  const instruments = new TcpInstruments(context, entry.name);
  const controller = new AbortController();
  const open = new Set<Socket>();
  const log = context.log.get(`group.${entry.name}`);
  const run = (socket: Socket) => {
    instruments.connection(socket);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    try {
      entry.handler(socket, {
        name: entry.name,
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        signal: controller.signal,
        context,
      });
    } catch (error) {
      log.warn('HANDLER_ERROR').exception(error, 'the handler threw');
      if (appErrorChannel.hasSubscribers)
        appErrorChannel.publish({ entry: entry.name, kind: 'tcp', error });
      socket.destroy();
    }
  };
  let dispatch = run;
  let tlsServer: ReturnType<typeof createTlsServer> | undefined;
  if (entry.tls !== undefined) {
    tlsServer = createTlsServer({ handshakeTimeout, ...entry.tls.server }, (s: TLSSocket) =>
      run(s),
    );
    tlsServer.on('tlsClientError', () => context.stats.get(`${entry.name}.tlsErrors`).add(1));
    const server = tlsServer;
    dispatch = (socket) => server.emit('connection', socket);
  }
  return {
    instruments,
    dispatch,
    drain: () => controller.abort(),
    closeAll() {
      for (const socket of open) socket.destroy();
    },
    close() {
      tlsServer?.close(() => {});
    },
  };
}

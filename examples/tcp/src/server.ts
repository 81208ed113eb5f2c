// A line protocol served by a Group's TCP entry, parsed with BufferedSocket:
//   ECHO <text>  → <text>
//   UPPER <text> → <TEXT>
//   STATS        → connections served by this process so far
//   QUIT         → BYE, then the server closes the connection
// Anything else gets `ERR unknown command`. A line longer than 1024 bytes gets
// `ERR line too long` and the connection is closed; so is one silent for
// `idleTimeout`. When the group stops, each connection is told `BYE shutting
// down` after its current command.
import type { Socket } from 'node:net';
import { BufferedSocket, type TcpInfo } from '@support/core';

export interface LineOptions {
  /** Milliseconds a client may stay silent. @default 30000 */
  idleTimeout?: number;
}

let served = 0;

/** The TCP entry's handler. */
export function lineHandler(options: LineOptions = {}) {
  const idleTimeout = options.idleTimeout ?? 30_000;
  return async (socket: Socket, info: TcpInfo): Promise<void> => {
    served++;
    socket.on('error', () => {});
    const bs = new BufferedSocket(socket, { timeout: idleTimeout, maxsize: 1024 });
    const stop = new AbortController();
    info.signal.addEventListener('abort', () => stop.abort(), { once: true });
    try {
      await bs.sendAll('HELLO line protocol; try ECHO, UPPER, STATS, QUIT\n');
      while (!info.signal.aborted) {
        const line = (await bs.recvUntil('\n', { signal: stop.signal }))
          .toString()
          .replace(/\r$/, '');
        const space = line.indexOf(' ');
        const command = (space < 0 ? line : line.slice(0, space)).toUpperCase();
        const arg = space < 0 ? '' : line.slice(space + 1);
        if (command === 'QUIT') {
          await bs.sendAll('BYE\n');
          break;
        }
        const reply =
          command === 'ECHO'
            ? arg
            : command === 'UPPER'
              ? arg.toUpperCase()
              : command === 'STATS'
                ? `served ${served} connections in pid ${process.pid}`
                : 'ERR unknown command';
        await bs.sendAll(`${reply}\n`);
      }
      if (info.signal.aborted) await bs.sendAll('BYE shutting down\n').catch(() => {});
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'SUP_ERR_BUFSOCK_MESSAGE_TOO_LONG')
        await bs.sendAll('ERR line too long\n').catch(() => {});
      else if (info.signal.aborted) await bs.sendAll('BYE shutting down\n').catch(() => {});
    } finally {
      socket.end();
    }
  };
}

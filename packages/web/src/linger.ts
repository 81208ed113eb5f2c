import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { lingerChannel } from './diagnostics.js';

/** How much of a body nobody reads is drained, and how long a closing connection lingers. */
export interface UnreadLimits {
  drainLimit: number;
  lingeringTime: number;
  lingeringTimeout: number;
}

/** Why a lingering close ended. */
export type LingerEnd = 'closed' | 'idle' | 'time';

const lingering = new WeakSet<Socket>();

/** True while the connection is in a lingering close: requests parsed from it get no answer. */
export function isLingering(socket: Socket | null): boolean {
  return socket !== null && lingering.has(socket);
}

/**
 * True when the request announces a body (Content-Length other than 0, or
 * Transfer-Encoding). Runs for every request, so it scans `rawHeaders`
 * rather than building the `headers` object Node makes on first use.
 */
export function hasBodyHeaders(request: IncomingMessage): boolean {
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
    if (name.length === 14 && name.toLowerCase() === 'content-length' && raw[i + 1] !== '0') {
      return true;
    }
  }
  return false;
}

/**
 * True when answering now would leave more than `drainLimit` body bytes
 * (or an unknown amount, for a chunked body) that nobody reads. Called
 * before the headers go out, so the answer can say `Connection: close`.
 */
export function unreadPastLimit(request: IncomingMessage, drainLimit: number): boolean {
  if (request.complete || request.readableFlowing === true || !hasBodyHeaders(request)) {
    return false;
  }
  if (request.headers['transfer-encoding'] !== undefined) return true;
  return Number(request.headers['content-length']) > drainLimit;
}

/**
 * Watches a request that announced a body until its response is finished.
 * If the body has not fully arrived by then, the rest is read and thrown
 * away: for keep-alive at most `drainLimit` bytes, past which our side of
 * the connection is ended; and once our side is ended (by Node after a
 * `Connection: close` answer, or here), the connection lingers.
 */
export function watchUnread(req: IncomingMessage, res: ServerResponse, limits: UnreadLimits): void {
  const socket = req.socket;
  let drained = 0;
  let lingerer: Lingerer | undefined;
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (lingerer !== undefined) {
      lingerer.activity();
    } else if (drained > limits.drainLimit) {
      socket.end();
      lingerer = linger(socket, limits, cleanup);
    }
  };
  const cleanup = () => {
    req.off('data', onData);
    req.off('end', cleanup);
    req.off('close', cleanup);
  };
  // Before Node's own 'finish' handler, which would dump the request: a
  // dumped request's bytes are parsed and dropped without 'data' events,
  // uncounted. Reading it here keeps them visible.
  res.prependOnceListener('finish', () => {
    if (req.complete || socket.destroyed) return;
    // Someone still reads the body (an upload answered early): theirs to finish.
    if (req.listenerCount('data') > 0 || req.listenerCount('readable') > 0) return;
    req.on('data', onData);
    req.once('end', cleanup);
    req.once('close', cleanup);
    if (req.readableFlowing !== true) req.resume();
  });
  // After Node's: it has ended our side if this was the last response.
  res.once('finish', () => {
    if (req.complete || socket.destroyed || lingerer !== undefined) return;
    if (socket.writableEnded) {
      // Node destroys the socket as soon as its FIN is out. Destroyed with
      // request bytes unread, it answers the client's next segment with a
      // reset, and the client's kernel may discard our answer unread.
      socket.removeListener('finish', socket.destroy);
      lingerer = linger(socket, limits, cleanup);
    }
  });
}

interface Lingerer {
  /** Data arrived: the idle timer starts again. */
  activity(): void;
}

/**
 * nginx's lingering close: our side of the connection is already ended;
 * what the client still sends is read and discarded until it closes, until
 * no data came for `lingeringTimeout` ms, or for `lingeringTime` ms at most;
 * then the socket is destroyed.
 */
function linger(socket: Socket, limits: UnreadLimits, done: () => void): Lingerer {
  const startedAt = performance.now();
  const bytesAtStart = socket.bytesRead;
  let bytesSeen = bytesAtStart;
  if (limits.lingeringTime === 0 || lingering.has(socket)) {
    done();
    if (limits.lingeringTime === 0) socket.destroy();
    return { activity() {} };
  }
  lingering.add(socket);
  const end = (how: LingerEnd) => {
    clearTimeout(total);
    clearTimeout(idle);
    socket.off('close', onClose);
    done();
    if (lingerChannel.hasSubscribers) {
      lingerChannel.publish({
        end: how,
        bytes: socket.bytesRead - bytesAtStart,
        ms: performance.now() - startedAt,
      });
    }
    if (how !== 'closed') socket.destroy();
  };
  const onIdle = () => {
    // Bytes outside the body (a pipelined request) count as activity too.
    if (socket.bytesRead !== bytesSeen) {
      bytesSeen = socket.bytesRead;
      idle.refresh();
      return;
    }
    end('idle');
  };
  const onClose = () => end('closed');
  const total = setTimeout(() => end('time'), limits.lingeringTime).unref();
  const idle = setTimeout(onIdle, limits.lingeringTimeout).unref();
  socket.once('close', onClose);
  return {
    activity() {
      bytesSeen = socket.bytesRead;
      idle.refresh();
    },
  };
}

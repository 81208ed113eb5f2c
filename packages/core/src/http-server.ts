import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type RequestListener,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Context } from '@support/context';
import { startHttpTimeouts } from '@support/prefork';
import type { Admission } from './admission.js';
import { appErrorChannel, plainOnTlsChannel } from './diagnostics.js';
import {
  HttpInstruments,
  type InstrumentationLevel,
  markWriting,
  type RouteOf,
} from './instrument.js';
import type { HttpLimits, ResolvedHttp } from './options.js';
import { refusePlainHttp, sniff } from './sniff.js';

/** A ServerResponse that marks its connection as writing when the head goes out. */
class GroupResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  // biome-ignore lint/suspicious/noExplicitAny: writeHead's overloads are forwarded as they are
  override writeHead(...args: any[]): this {
    markWriting(this);
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return (super.writeHead as any)(...args);
  }
}

/** The servers of one HTTP entry and the function that hands them connections. */
export interface HttpServing {
  readonly instruments: HttpInstruments;
  /** The servers requests are parsed by (one, or two for tls.mode 'both'). */
  readonly servers: HttpServer[];
  /** Gives an accepted connection to the right server. */
  dispatch(socket: Socket): void;
  /** Stops keep-alive: responses from now on close their connection, idle ones are closed. */
  drain(): void;
  /** Destroys every connection. */
  closeAll(): void;
}

function harden(server: HttpServer, limits: Required<HttpLimits>): void {
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.timeout = limits.socketTimeout;
  // The servers never listen themselves (Group hands them connections), so
  // start Node's tracking of connections, which enforces headersTimeout and
  // requestTimeout, the way prefork's workers do for handed-over servers
  // (without a 'listening' event the app could take for a real listen).
  startHttpTimeouts(server);
}

/**
 * Builds the server(s) of an HTTP entry: hardened, instrumented, with
 * per-request admission before the app, and TLS as the entry asks.
 */
export function createHttpServing(
  entry: ResolvedHttp,
  context: Context,
  limits: Required<HttpLimits>,
  admission: Admission | undefined,
  routeOf: RouteOf,
  level: InstrumentationLevel = 'full',
): HttpServing {
  const instruments = new HttpInstruments(context, entry.name, routeOf, level);
  const app: RequestListener = entry.listener;
  const log = context.log.get(`group.${entry.name}`);
  let draining = false;
  const onRequest: RequestListener = (req, res) => {
    instruments.request(req, res);
    if (draining) res.shouldKeepAlive = false;
    if (admission !== undefined && !admission.admit(req, res)) return;
    try {
      app(req, res);
    } catch (error) {
      log.warn('APP_ERROR').exception(error, 'the app threw');
      if (appErrorChannel.hasSubscribers)
        appErrorChannel.publish({ entry: entry.name, kind: 'http', error });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end('Internal Server Error\n');
      } else {
        res.destroy();
      }
    }
  };
  const serverOptions = {
    ServerResponse: GroupResponse,
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: limits.requestTimeout,
    headersTimeout: limits.headersTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, limits.headersTimeout / 4)),
  };
  const servers: HttpServer[] = [];
  let plain: HttpServer | undefined;
  let secure: HttpServer | undefined;
  if (entry.tls === undefined || entry.tls.mode === 'both') {
    plain = createHttpServer(serverOptions, onRequest);
    plain.on('connection', (socket: Socket) => instruments.connection(socket));
    servers.push(plain);
  }
  if (entry.tls !== undefined) {
    secure = createHttpsServer(
      { handshakeTimeout: limits.headersTimeout, ...entry.tls.server, ...serverOptions },
      onRequest,
    ) as unknown as HttpServer;
    secure.on('secureConnection', (socket: Socket) => instruments.connection(socket));
    secure.on('tlsClientError', () => context.stats.get(`${entry.name}.tlsErrors`).add(1));
    servers.push(secure);
  }
  for (const server of servers) harden(server, limits);

  const toPlain = (socket: Socket) => {
    plain!.emit('connection', socket);
    socket.resume();
  };
  let dispatch: (socket: Socket) => void;
  if (secure === undefined) {
    dispatch = toPlain;
  } else {
    const tlsServer = secure;
    const mode = entry.tls!.mode;
    dispatch = (socket) =>
      sniff(socket, limits.headersTimeout, (s, isTls, head) => {
        if (isTls) tlsServer.emit('connection', s);
        else if (mode === 'both') toPlain(s);
        else {
          context.stats.get(`${entry.name}.plainOnTls`).add(1);
          if (plainOnTlsChannel.hasSubscribers) {
            plainOnTlsChannel.publish({ entry: entry.name, remoteAddress: s.remoteAddress });
          }
          refusePlainHttp(s, head);
        }
      });
  }
  return {
    instruments,
    servers,
    dispatch,
    drain() {
      draining = true;
      for (const res of instruments.live) {
        if (!res.headersSent) res.shouldKeepAlive = false;
        else res.once('finish', () => res.socket?.end());
      }
      for (const server of servers) server.closeIdleConnections();
    },
    closeAll() {
      for (const server of servers) server.closeAllConnections();
    },
  };
}

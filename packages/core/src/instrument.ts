import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from '@support/context';
import { nanotime, type Transitor } from '@support/faststat';

// What Group records about every HTTP request and connection, into the
// service's Context, under the entry's name (`http` by default):
//   durations  <name>.request, <name>.route.<label>, <name>.status.<1xx..5xx>   (ms)
//   stats      <name>.inFlight (requests in flight, sampled at each start),
//              <name>.aborted (1 per response closed before it finished)
//   sketches   <name>.clients (client addresses: cardinality and heavy hitters)
//   markov     <name>.connections: new → [reading →] app → writing → idle → … → done
//              (reading: a request body is arriving; idle: kept alive between requests)
// TCP entries: <name>.connection durations, <name>.clients, <name>.connections (open → done).
// Registries are looked up per event (a Map lookup), never cached, so that
// ctx.resetStats() cannot orphan them.

/** The state transitor of a connection, kept on the socket that requests see. */
const kTransitor = Symbol('support.core.transitor');

type Tracked = Socket & { [kTransitor]?: Transitor };

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * How much Group records per request: 'full' (everything above), 'basic'
 * (durations per request, route and status class, in-flight; no connection
 * Markov or client sketch: about half the cost), 'off' (counters for
 * status() only).
 */
export type InstrumentationLevel = 'full' | 'basic' | 'off';

/** The route label of a finished request. */
export type RouteOf = (req: IncomingMessage, res: ServerResponse) => string | undefined;

/** Express's matched route (`req.route.path`), or a label the app set in `res.locals.route`. */
export const defaultRouteOf: RouteOf = (req, res) => {
  const express = (req as IncomingMessage & { route?: { path?: unknown } }).route;
  if (express !== undefined && typeof express.path === 'string')
    return `${req.method} ${express.path}`;
  const locals = (res as ServerResponse & { locals?: { route?: unknown } }).locals;
  if (typeof locals?.route === 'string') return locals.route;
  return undefined;
};

/** Counters and stats of one HTTP entry. */
export class HttpInstruments {
  /** Requests whose response has not closed yet. */
  inFlight = 0;
  /** Requests seen since start. */
  requests = 0;
  /** Connections seen since start, and open now. */
  connections = 0;
  openConnections = 0;
  /** Responses not closed yet, so that a drain can end their keep-alive. */
  readonly live = new Set<ServerResponse>();

  // Registry names, built once rather than per request.
  private readonly names: {
    request: string;
    inFlight: string;
    aborted: string;
    clients: string;
    connections: string;
    status: string[];
  };
  private readonly routeNames = new Map<string, string>();

  constructor(
    private readonly context: Context,
    readonly name: string,
    private readonly routeOf: RouteOf,
    private readonly level: InstrumentationLevel = 'full',
  ) {
    this.names = {
      request: `${name}.request`,
      inFlight: `${name}.inFlight`,
      aborted: `${name}.aborted`,
      clients: `${name}.clients`,
      connections: `${name}.connections`,
      status: STATUS_CLASSES.map((c) => `${name}.status.${c}`),
    };
  }

  private routeName(route: string): string {
    let name = this.routeNames.get(route);
    if (name === undefined) {
      name = `${this.name}.route.${route}`;
      // Bounded like the registries: past it, names are built per request.
      if (this.routeNames.size < 1000) this.routeNames.set(route, name);
    }
    return name;
  }

  /** Call for every accepted connection (the socket requests will see). */
  connection(socket: Socket): void {
    const ctx = this.context;
    this.connections++;
    this.openConnections++;
    if (this.level !== 'full') {
      socket.once('close', () => {
        this.openConnections--;
      });
      return;
    }
    const remote = socket.remoteAddress;
    if (remote !== undefined) ctx.sketches.get(this.names.clients).add(remote);
    const t = ctx.markov.get(this.names.connections).makeTransitor('new');
    (socket as Tracked)[kTransitor] = t;
    socket.once('close', () => {
      this.openConnections--;
      t.transition('done');
      t.close();
    });
  }

  /** Call when a request arrives, before admission and the app. */
  request(req: IncomingMessage, res: ServerResponse): void {
    const start = nanotime();
    this.requests++;
    this.inFlight++;
    this.live.add(res);
    if (this.level !== 'off') this.context.stats.get(this.names.inFlight).add(this.inFlight);
    const t = (req.socket as Tracked)[kTransitor];
    if (t !== undefined) {
      if (hasBody(req)) {
        t.transition('reading');
        req.once('end', () => {
          if (t.state === 'reading') t.transition('app');
        });
      } else {
        t.transition('app');
      }
    }
    res.once('close', () => this.done(req, res, start, t));
  }

  private done(req: IncomingMessage, res: ServerResponse, start: number, t: Transitor | undefined) {
    this.inFlight--;
    this.live.delete(res);
    if (this.level === 'off') return;
    const ctx = this.context;
    const names = this.names;
    const ms = ctx.durations.get(names.request).end(start);
    const cls = names.status[Math.floor(res.statusCode / 100) - 1];
    if (cls !== undefined) ctx.durations.get(cls).add(ms);
    if (!res.writableFinished) ctx.stats.get(names.aborted).add(1);
    let route: string | undefined;
    try {
      route = this.routeOf(req, res);
    } catch {
      route = undefined;
    }
    if (route !== undefined) ctx.durations.get(this.routeName(route)).add(ms);
    if (t !== undefined && !t.closed && !req.socket.destroyed) t.transition('idle');
  }

  status() {
    return {
      requests: this.requests,
      inFlight: this.inFlight,
      connections: this.connections,
      openConnections: this.openConnections,
    };
  }
}

/** Marks the connection of `res` as writing (the response head is going out). */
export function markWriting(res: ServerResponse): void {
  const t = (res.req?.socket as Tracked | undefined)?.[kTransitor];
  if (t !== undefined && (t.state === 'app' || t.state === 'reading')) t.transition('writing');
}

function hasBody(req: IncomingMessage): boolean {
  const h = req.headers;
  return (
    (h['content-length'] !== undefined && h['content-length'] !== '0') ||
    h['transfer-encoding'] !== undefined
  );
}

/** Counters and states of one TCP entry: open → done, and connection durations. */
export class TcpInstruments {
  connections = 0;
  openConnections = 0;

  constructor(
    private readonly context: Context,
    readonly name: string,
  ) {}

  connection(socket: Socket): void {
    const ctx = this.context;
    this.connections++;
    this.openConnections++;
    const start = nanotime();
    if (socket.remoteAddress !== undefined)
      ctx.sketches.get(`${this.name}.clients`).add(socket.remoteAddress);
    const t = ctx.markov.get(`${this.name}.connections`).makeTransitor('open');
    socket.once('close', () => {
      this.openConnections--;
      ctx.durations.get(`${this.name}.connection`).end(start);
      t.transition('done');
      t.close();
    });
  }

  status() {
    return { connections: this.connections, openConnections: this.openConnections };
  }
}

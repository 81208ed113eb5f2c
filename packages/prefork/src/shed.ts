import type net from 'node:net';
import { type Context, getContext } from '@support/context';
import { shedConnectionChannel } from './admission/diagnostics.js';
import {
  fn,
  invalid,
  ms,
  nonNegativeInt,
  oneOf,
  plainObject,
  positiveInt,
  rejectUnknown,
} from './validate.js';

/** Options of {@link shedConnection}. */
export interface ShedOptions {
  /** How to answer: `'http'` reads the request head and writes a 503; `'tcp'` closes cleanly. @default 'http' */
  protocol?: 'http' | 'tcp';
  /** Seconds sent in `Retry-After`. @default 1 */
  retryAfter?: number;
  /** Most bytes of request head read before answering anyway. @default 8192 */
  headMaxBytes?: number;
  /** Most ms spent waiting for the request head before answering anyway. @default 1000 */
  headTimeout?: number;
  /** After answering, most bytes read and discarded before the socket is destroyed. @default 1048576 */
  lingerMaxBytes?: number;
  /** After answering, most ms spent reading and discarding before the socket is destroyed. @default 1000 */
  lingerTimeout?: number;
  /** Why the connection is shed, for the count and the diagnostics event. @default 'shed' */
  reason?: string;
  /** Where the count goes (`prefork.shed.<protocol>` in `stats`, one point per connection). @default getContext() */
  context?: Context;
  /** Called once the socket is gone (destroyed), e.g. to release bookkeeping. */
  onDone?: () => void;
}

/** Defaults of {@link ShedOptions}. */
export const shedDefaults = {
  protocol: 'http' as 'http' | 'tcp',
  retryAfter: 1,
  headMaxBytes: 8192,
  headTimeout: 1000,
  lingerMaxBytes: 1_048_576,
  lingerTimeout: 1000,
  reason: 'shed',
} as const;

const known = { ...shedDefaults, context: 0, onDone: 0 };

type Resolved = Omit<typeof shedDefaults, 'protocol'> & {
  protocol: 'http' | 'tcp';
  context?: Context;
  onDone?: () => void;
};

/** Validates shed options (exported for the gate and the arbiter, which validate once and shed many times). */
export function resolveShedOptions(options: ShedOptions = {}, name = 'options'): Resolved {
  plainObject(options, name);
  rejectUnknown(options, known, name);
  const o = { ...shedDefaults, ...options };
  oneOf(o.protocol, ['http', 'tcp'], `${name}.protocol`);
  nonNegativeInt(o.retryAfter, `${name}.retryAfter`);
  positiveInt(o.headMaxBytes, `${name}.headMaxBytes`);
  ms(o.headTimeout, `${name}.headTimeout`);
  nonNegativeInt(o.lingerMaxBytes, `${name}.lingerMaxBytes`);
  ms(o.lingerTimeout, `${name}.lingerTimeout`);
  if (typeof o.reason !== 'string') throw invalid(`${name}.reason`, 'must be a string');
  if (o.onDone !== undefined) fn(o.onDone, `${name}.onDone`);
  return o as Resolved;
}

const BODY = 'Service Unavailable\n';
const HEAD_END = Buffer.from('\r\n\r\n');

function response503(retryAfter: number): string {
  return (
    'HTTP/1.1 503 Service Unavailable\r\n' +
    `Retry-After: ${retryAfter}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/plain\r\n' +
    `Content-Length: ${BODY.length}\r\n\r\n${BODY}`
  );
}

/**
 * Answers a connection nobody can take, and closes it without a reset.
 *
 * - `http`: reads the request head (at most `headMaxBytes`, `headTimeout`),
 *   writes `503 Service Unavailable` with `Retry-After`, `Connection: close`
 *   and `Content-Length`, half-closes, then keeps reading and discarding
 *   (at most `lingerMaxBytes`, `lingerTimeout`) until the client closes its
 *   side. Closing with unread bytes in the receive buffer makes the kernel
 *   send a reset, which can destroy the 503 before the client reads it;
 *   lingering (as nginx's `lingering_close`) avoids that.
 * - `tcp`: half-closes at once and lingers the same way.
 *
 * Counted in `context.stats` as `prefork.shed.<protocol>`; published on
 * `support:prefork:shed-connection`. Never throws for socket errors.
 */
export function shedConnection(socket: net.Socket, options: ShedOptions = {}): void {
  shedResolved(socket, resolveShedOptions(options));
}

/** shedConnection with options already validated by resolveShedOptions. */
export function shedResolved(socket: net.Socket, o: Resolved): void {
  const context = o.context ?? getContext();
  context.stats.get(`prefork.shed.${o.protocol}`).add(1);
  if (shedConnectionChannel.hasSubscribers) {
    shedConnectionChannel.publish({
      protocol: o.protocol,
      remoteAddress: socket.remoteAddress,
      reason: o.reason,
    });
  }
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    socket.removeListener('data', onHead);
    socket.removeListener('data', discard);
    socket.destroy();
    o.onDone?.();
  };
  socket.on('error', finish);
  socket.once('close', finish);

  let head: Buffer = Buffer.alloc(0);
  const onHead = (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    if (head.length >= o.headMaxBytes || head.includes(HEAD_END)) {
      socket.removeListener('end', answer);
      head = Buffer.alloc(0);
      answer();
    }
  };
  let lingered = 0;
  const discard = (chunk: Buffer) => {
    lingered += chunk.length;
    if (lingered > o.lingerMaxBytes) finish();
  };
  const linger = () => {
    clearTimeout(timer);
    socket.removeListener('data', onHead);
    socket.on('data', discard);
    // The client's FIN ends the linger (once our answer is flushed); so does the deadline.
    if (socket.readableEnded) socket.once('finish', finish);
    else
      socket.once('end', () =>
        socket.writableFinished ? finish() : socket.once('finish', finish),
      );
    timer = setTimeout(finish, o.lingerTimeout);
    timer.unref();
  };
  const answer = () => {
    if (done) return;
    if (o.protocol === 'http' && socket.writable) socket.write(response503(o.retryAfter));
    socket.end();
    linger();
  };

  if (socket.destroyed) {
    finish();
    return;
  }
  // A client may half-close right after its request: keep our side open to answer.
  socket.allowHalfOpen = true;
  // The head may already have ended (the client sent FIN right after it).
  socket.once('end', answer);
  if (o.protocol === 'tcp') {
    socket.removeListener('end', answer);
    answer();
    socket.resume();
    return;
  }
  socket.on('data', onHead);
  timer = setTimeout(() => {
    socket.removeListener('end', answer);
    answer();
  }, o.headTimeout);
  timer.unref();
  socket.resume();
}

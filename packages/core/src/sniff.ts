import type { Socket } from 'node:net';

// Telling TLS from plain text on one port: a TLS connection starts with a
// handshake record, whose first byte is 0x16. The first chunk is read, put
// back with unshift(), and the socket handed to the right server.

/** First byte of a TLS handshake record. */
export const TLS_HANDSHAKE = 0x16;

/**
 * Waits for the first bytes of `socket` and calls `route(socket, isTls, head)`
 * with them put back; a socket silent for `timeoutMs` is destroyed.
 */
export function sniff(
  socket: Socket,
  timeoutMs: number,
  route: (socket: Socket, isTls: boolean, head: Buffer) => void,
): void {
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  const onClose = () => clearTimeout(timer);
  socket.once('close', onClose);
  socket.once('data', (chunk: Buffer) => {
    clearTimeout(timer);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(chunk);
    route(socket, chunk[0] === TLS_HANDSHAKE, chunk);
  });
  socket.on('error', () => {}); // a reset before the first byte only closes the socket
  socket.resume();
}

/** How long a refused plain-text connection may keep sending before it is cut. */
const LINGER_MS = 2000;

/**
 * Answers a plain-HTTP request sent to a TLS-only port with a 400 that tells
 * the client to use https, then reads and discards briefly (lingering close)
 * so the client sees the answer rather than a reset.
 */
export function refusePlainHttp(socket: Socket, head: Buffer): void {
  const text = head.toString('latin1', 0, Math.min(head.length, 8192));
  const host = /\r\nhost:[ \t]*([^\r\n]+)/i.exec(text)?.[1]?.trim();
  const path = /^[A-Z]+ (\/[^ \r\n]*) HTTP\//.exec(text)?.[1] ?? '/';
  const hint =
    host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host)
      ? ` https://${host}${safePath(path)}`
      : ' https://';
  const body = `400 Bad Request: this port speaks HTTPS only; use${hint}\n`;
  socket.read(); // drop what was put back
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.on('data', () => {});
  socket.resume();
}

function safePath(path: string): string {
  return /^[A-Za-z0-9/._~%!$&'()*+,;=:@?-]*$/.test(path) ? path : '/';
}

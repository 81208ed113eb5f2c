import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request whose path and headers are sent exactly as written (fetch would normalize them). */
export function rawRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        setHost: options.headers?.host === undefined,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A raw TCP connection that collects what the server writes and how it ended. */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far, latin1. */
  received(): string;
  /** Resolves when the connection is gone: 'end' (server FIN read), 'reset' or 'closed'. */
  closed: Promise<{ how: 'end' | 'reset' | 'closed'; at: number }>;
}

export function rawConnect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let how: 'end' | 'reset' | 'closed' = 'closed';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => {
      how = 'end';
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (how === 'closed')
        how = error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : how;
    });
    const closed = new Promise<{ how: 'end' | 'reset' | 'closed'; at: number }>((done) => {
      socket.on('close', () => done({ how, at: performance.now() }));
    });
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Writes and resolves once the kernel took the bytes (or rejects when the peer is gone). */
export function writeAll(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

import { once } from 'node:events';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { Context } from '@support/context';
import { afterEach } from 'vitest';
import { ConnectionManager, type ConnectionManagerOptions } from '../src/index.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A Context without the monitor and watchdog, so tests start no threads. */
export function quietContext(): Context {
  return new Context({ monitoring: false, watchdog: false });
}

/**
 * Per-file test harness: everything registered in `cleanups` (and every
 * manager and server made through it) is closed after each test, newest first.
 */
export function harness() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    /** A manager on a quiet context of its own. */
    manager(options: ConnectionManagerOptions = {}): ConnectionManager {
      const context = quietContext();
      const mgr = new ConnectionManager({ context, ...options });
      cleanups.push(
        () => context.close(),
        () => mgr.close(),
      );
      return mgr;
    },
    /** An echo server on 127.0.0.1. */
    async server(): Promise<TestServer> {
      const s = await echoServer();
      cleanups.push(() => s.close());
      return s;
    },
  };
}

export interface TestServer {
  port: number;
  address: string;
  /** Sockets accepted so far (open or not). */
  accepted: net.Socket[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 (port 0 unless given) running `onSocket` for each connection; close() destroys them all. */
export async function listen(
  onSocket: (socket: net.Socket) => void = () => {},
  port = 0,
): Promise<TestServer> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as net.AddressInfo).port;
  return {
    port: bound,
    address: `127.0.0.1:${bound}`,
    accepted,
    async close() {
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Echoes everything back. */
export function echoServer(): Promise<TestServer> {
  return listen((socket) => socket.pipe(socket));
}

/** A port nothing listens on (bound then closed, so connecting is refused). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Blackhole {
  port: number;
  address: string;
  close(): Promise<void>;
}

/**
 * A listener whose accept queue is full, so further SYNs go unanswered and
 * connecting hangs until the caller's deadline. It listens with backlog 1 in
 * a worker thread whose event loop is then blocked (Atomics.wait), so nothing
 * is ever accepted; two connections fill the queue. close() wakes the worker,
 * which closes the listener and exits.
 */
export async function blackhole(host = '127.0.0.1'): Promise<Blackhole> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ port: 0, host: workerData.host, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(workerData.flag, 0, 0);
  server.close();
  process.exit(0);
});
`,
    { eval: true, workerData: { flag, host } },
  );
  const [port] = (await once(worker, 'message')) as [number];
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, host);
    s.on('error', () => {});
    fillers.push(s);
    await once(s, 'connect');
  }
  return {
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    async close() {
      for (const s of fillers) s.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await once(worker, 'exit');
    },
  };
}

/** Writes `data` and resolves with the next chunk the socket receives. */
export function roundTrip(socket: net.Socket, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      cleanup();
      resolve(chunk.toString());
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('closed'));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(data);
  });
}

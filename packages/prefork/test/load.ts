// Helpers for the admission, gate and shed tests: a load generator in a child
// process (bench/loadgen.mjs, so it does not share the server's event loop),
// a CPU-burning handler, and a server on 127.0.0.1 port 0 closed after the test.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Context } from '@support/context';
import { afterEach } from 'vitest';

const cli = fileURLToPath(new URL('../bench/loadgen-cli.mjs', import.meta.url));

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
export interface OpenResult {
  sent: number;
  served: Summary;
  shed: Summary;
  other: number;
  lost: number;
  timeouts: number;
  servedRate: number;
}
export interface ClosedResult {
  requests: number;
  rate: number;
  latency: Summary;
  byStatus: Record<string, number>;
  errors: number;
}

export function load(options: {
  mode: 'open';
  port: number;
  rate: number;
  duration: number;
  connections?: number;
}): Promise<OpenResult>;
export function load(options: {
  mode: 'closed';
  port: number;
  clients: number;
  duration: number;
  keepAlive?: boolean;
}): Promise<ClosedResult>;
export function load(options: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, JSON.stringify(options)],
      { timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

/** Burns `ms` of CPU on the event loop (what a request costs). */
export function burn(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/** A Context without the monitor and watchdog, so tests start no threads. */
export function quietContext(): Context {
  return new Context({ monitoring: false, watchdog: false });
}

/** Per-file cleanup list, run newest first after each test. */
export function harness() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    /** Listens on 127.0.0.1:0; close() destroys every socket. */
    async listen<S extends net.Server>(server: S): Promise<number> {
      const sockets = new Set<net.Socket>();
      server.on('connection', (s: net.Socket) => {
        sockets.add(s);
        s.once('close', () => sockets.delete(s));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      cleanups.push(async () => {
        for (const s of sockets) s.destroy();
        if (server instanceof http.Server) server.closeAllConnections();
        await new Promise((r) => server.close(r));
      });
      return (server.address() as net.AddressInfo).port;
    },
    context(): Context {
      const ctx = quietContext();
      cleanups.push(() => ctx.close());
      return ctx;
    },
  };
}

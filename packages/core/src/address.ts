import { lstatSync, unlinkSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { CoreError, codes, invalid } from './errors.js';
import { knownKeys, nonNegativeInteger, plainObject, string } from './validate.js';

/** Where a server listens: a TCP host and port, or a Unix socket path. */
export interface Address {
  /**
   * Interface to bind (TCP only).
   * @default '0.0.0.0' for served entries, '127.0.0.1' for metaAddress and consoleAddress
   */
  host?: string;
  /** TCP port; 0 picks a free one (see `group.addresses()`). */
  port?: number;
  /** Unix socket path, instead of host and port. */
  path?: string;
}

/** A validated address: exactly one of `path` or `port`. */
export type ResolvedAddress =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string };

export function resolveAddress(name: string, value: unknown, defaultHost: string): ResolvedAddress {
  const a = plainObject(name, value);
  knownKeys(name, a, ['host', 'port', 'path']);
  if (a.path !== undefined) {
    if (a.port !== undefined || a.host !== undefined) {
      throw invalid(name, 'takes either path or host and port, not both');
    }
    return { kind: 'unix', path: string(`${name}.path`, a.path) };
  }
  if (a.port === undefined) throw invalid(name, 'needs a port or a path');
  const port = nonNegativeInteger(`${name}.port`, a.port);
  if (port > 65535) throw invalid(`${name}.port`, `must be at most 65535, got ${port}`);
  const host = a.host === undefined ? defaultHost : string(`${name}.host`, a.host);
  return { kind: 'tcp', host, port };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function formatAddress(a: ResolvedAddress): string {
  if (a.kind === 'unix') return a.path;
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The address a listening server really has (the port chosen for port 0). */
export function boundAddress(server: Server, a: ResolvedAddress): ResolvedAddress {
  if (a.kind === 'unix') return a;
  const info = server.address();
  if (info !== null && typeof info === 'object')
    return { kind: 'tcp', host: a.host, port: info.port };
  return a;
}

/**
 * Removes a Unix socket file nobody listens on any more (left by a crash), so
 * listen() can take the path; a live socket or any other file is left alone.
 */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (!alive) unlinkSync(path);
}

/** Listens on `a`; rejects with SUP_ERR_CORE_LISTEN naming the address. */
export async function listen(server: Server, a: ResolvedAddress, backlog = 511): Promise<void> {
  if (a.kind === 'unix') await removeStaleSocket(a.path);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(
        new CoreError(codes.LISTEN, `cannot listen on ${formatAddress(a)}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (a.kind === 'unix') server.listen({ path: a.path, backlog });
    else server.listen({ host: a.host, port: a.port, backlog });
  });
}

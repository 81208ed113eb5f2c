import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type Address, addressKey } from './address.js';
import type { DnsCache } from './dns-cache.js';
import { type ConnectPhase, ConnectTimeoutError } from './errors.js';
import { follow, raceSignal } from './signals.js';

/** What one attempt needs. */
export interface AttemptOptions {
  address: Address;
  dns: DnsCache;
  /** Deadline (ms) covering DNS, TCP and TLS. */
  timeout: number;
  /** Aborts the attempt (the caller's signal, or the manager closing). */
  signal: AbortSignal | undefined;
  /** TLS options when the socket must be TLS. */
  tls: ConnectionOptions | undefined;
  noDelay: boolean;
  /** Called as the attempt moves on: `connected` after TCP, `tls_handshaking` before TLS. */
  onState: (state: 'connected' | 'tls_handshaking') => void;
}

export interface AttemptResult {
  socket: Socket | TLSSocket;
  ip: string;
}

/**
 * One connection attempt under one deadline: resolve the host, connect to
 * its addresses in turn (the first that accepts wins), then the TLS
 * handshake. On failure the socket is destroyed; a single address's failure
 * is reported as its real cause, the deadline as ConnectTimeoutError.
 */
export async function connectOnce(options: AttemptOptions): Promise<AttemptResult> {
  const { address, timeout } = options;
  const key = addressKey(address);
  const controller = new AbortController();
  const started = performance.now();
  let phase: ConnectPhase = 'dns';
  const timer = setTimeout(
    () => controller.abort(new ConnectTimeoutError(key, timeout, phase)),
    timeout,
  );
  const unfollow = follow(options.signal, controller);
  const signal = controller.signal;
  try {
    const ips = await raceSignal(options.dns.lookup(address.host, signal), signal);
    phase = 'tcp';
    let socket: Socket | undefined;
    let ip = '';
    let lastError: unknown;
    const attemptEnds = started + timeout;
    for (let i = 0; i < ips.length; i++) {
      const candidate = ips[i]!;
      // With more IPs to go, this one may use only its share of the time
      // left, so one blackholed address family cannot eat the whole deadline.
      const share = (attemptEnds - performance.now()) / (ips.length - i);
      try {
        socket = await tcpConnect(
          candidate.address,
          address.port,
          options.noDelay,
          signal,
          i < ips.length - 1 ? share : undefined,
        );
        ip = candidate.address;
        break;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        lastError = error;
      }
    }
    if (socket === undefined) throw lastError;
    options.onState('connected');
    if (options.tls === undefined) return { socket, ip };
    phase = 'tls';
    options.onState('tls_handshaking');
    const servername =
      options.tls.servername ?? (isIP(address.host) === 0 ? address.host : undefined);
    const secure = await tlsHandshake(
      socket,
      { ...options.tls, ...(servername ? { servername } : {}) },
      signal,
    );
    return { socket: secure, ip };
  } finally {
    clearTimeout(timer);
    unfollow();
  }
}

function tcpConnect(
  host: string,
  port: number,
  noDelay: boolean,
  signal: AbortSignal,
  shareMs: number | undefined,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = netConnect({ host, port, noDelay });
    const timer =
      shareMs === undefined
        ? undefined
        : setTimeout(
            () => onError(new ConnectTimeoutError(`${host}:${port}`, Math.round(shareMs), 'tcp')),
            Math.max(1, shareMs),
          );
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function tlsHandshake(
  socket: Socket,
  tls: ConnectionOptions,
  signal: AbortSignal,
): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    if (signal.aborted) {
      socket.destroy();
      reject(signal.reason);
      return;
    }
    const secure = tlsConnect({ ...tls, socket });
    const cleanup = () => {
      secure.off('secureConnect', onSecure);
      secure.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onSecure = () => {
      cleanup();
      resolve(secure);
    };
    const onError = (error: Error) => {
      cleanup();
      secure.destroy();
      socket.destroy();
      reject(error);
    };
    const onAbort = () => {
      cleanup();
      secure.destroy();
      socket.destroy();
      reject(signal.reason);
    };
    secure.once('secureConnect', onSecure);
    secure.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

import { isIP } from 'node:net';
import { InvalidOptionError } from './errors.js';

/** Where to connect: a host name or literal IP, and a port. */
export interface Address {
  /** Host name (resolved through the DNS cache) or literal IPv4/IPv6 address (never resolved). */
  host: string;
  /** TCP port, 1–65535. */
  port: number;
  /**
   * In the same datacenter: attempts use `datacenterConnectTimeout` instead of `connectTimeout`.
   * @default false
   */
  internal?: boolean;
}

/** `host:port`, with IPv6 literals in brackets: the key of an address in stats and status. */
export function addressKey(address: Address): string {
  return isIP(address.host) === 6
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/** Parses `host:port` or `[v6]:port`; undefined when the text is not of that shape. */
export function parseAddress(text: string): Address | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const host = (match[1] ?? match[2])!;
  const port = Number(match[3]);
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  if (!validPort(port)) return undefined;
  return { host, port };
}

/** Validates an address given as an object or `host:port` text; `what` names it in messages. */
export function toAddress(value: unknown, what: string): Address {
  if (typeof value === 'string') {
    const parsed = parseAddress(value);
    if (parsed === undefined) {
      throw new InvalidOptionError(
        `${what} must be "host:port" or { host, port }, got ${JSON.stringify(value)}`,
      );
    }
    return parsed;
  }
  if (value === null || typeof value !== 'object') {
    throw new InvalidOptionError(`${what} must be "host:port" or { host, port }`);
  }
  const { host, port, internal } = value as Partial<Address>;
  if (typeof host !== 'string' || host.length === 0) {
    throw new InvalidOptionError(`${what}.host must be a non-empty string`);
  }
  if (!validPort(port))
    throw new InvalidOptionError(`${what}.port must be an integer from 1 to 65535`);
  if (internal !== undefined && typeof internal !== 'boolean') {
    throw new InvalidOptionError(`${what}.internal must be a boolean`);
  }
  return internal ? { host, port, internal } : { host, port };
}

function validPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

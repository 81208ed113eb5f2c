import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';
import { CoreError, codes, invalid } from './errors.js';
import { bool, knownKeys, plainObject } from './validate.js';

/** PEM text, a Buffer, or a path to a file holding it. */
export type PemSource = string | Buffer;

/** TLS of one address. Strings starting with `-----BEGIN` are PEM; other strings are file paths. */
export interface TlsConfig {
  /** Certificate chain (PEM). */
  cert?: PemSource | PemSource[];
  /** Private key (PEM). */
  key?: PemSource | PemSource[];
  /** Certificate authorities trusted for client certificates (PEM). */
  ca?: PemSource | PemSource[];
  /** PKCS#12 / PFX bundle (a Buffer or a path), instead of cert and key. */
  pfx?: PemSource;
  /** Passphrase of the key or the PFX. */
  passphrase?: string;
  /**
   * Ask clients for a certificate (mutual TLS).
   * @default false
   */
  requestCert?: boolean;
  /**
   * With requestCert: refuse clients whose certificate does not verify against `ca`.
   * @default true
   */
  rejectUnauthorized?: boolean;
  /**
   * 'require': TLS only; a plain HTTP request gets a 400 telling the client to use https.
   * 'both': TLS and plain HTTP on one port, told apart by the first byte (0x16 = TLS handshake).
   * @default 'require'
   */
  mode?: 'require' | 'both';
  /** Further node:tls server options (ciphers, minVersion, ALPNProtocols, …). */
  options?: TlsOptions;
}

export interface ResolvedTls {
  mode: 'require' | 'both';
  /** Options for https.createServer / tls.createServer. */
  server: TlsOptions;
}

const KEYS = [
  'cert',
  'key',
  'ca',
  'pfx',
  'passphrase',
  'requestCert',
  'rejectUnauthorized',
  'mode',
  'options',
];

function load(option: string, value: unknown): string | Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(option, 'must be PEM text, a Buffer or a file path');
  }
  if (value.startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value);
  } catch (error) {
    throw new CoreError(codes.TLS, `${option}: cannot read ${value}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function loadMany(option: string, value: unknown): Array<string | Buffer> | string | Buffer {
  return Array.isArray(value)
    ? value.map((v, i) => load(`${option}[${i}]`, v))
    : load(option, value);
}

/** Validates and loads a TLS configuration; a bad certificate or key fails here, naming the option. */
export function resolveTls(name: string, value: unknown): ResolvedTls {
  const t = plainObject(name, value);
  knownKeys(name, t, KEYS);
  const server: TlsOptions =
    t.options === undefined ? {} : { ...(plainObject(`${name}.options`, t.options) as TlsOptions) };
  if (t.pfx !== undefined) {
    if (t.cert !== undefined || t.key !== undefined)
      throw invalid(name, 'takes pfx or cert and key, not both');
    server.pfx = load(`${name}.pfx`, t.pfx);
  } else {
    if (t.cert === undefined || t.key === undefined)
      throw invalid(name, 'needs cert and key, or pfx');
    server.cert = loadMany(`${name}.cert`, t.cert);
    server.key = loadMany(`${name}.key`, t.key);
  }
  if (t.ca !== undefined) server.ca = loadMany(`${name}.ca`, t.ca);
  if (t.passphrase !== undefined) {
    if (typeof t.passphrase !== 'string') throw invalid(`${name}.passphrase`, 'must be a string');
    server.passphrase = t.passphrase;
  }
  if (t.requestCert !== undefined) server.requestCert = bool(`${name}.requestCert`, t.requestCert);
  if (t.rejectUnauthorized !== undefined) {
    server.rejectUnauthorized = bool(`${name}.rejectUnauthorized`, t.rejectUnauthorized);
  }
  if (server.requestCert && server.ca === undefined && server.pfx === undefined) {
    throw invalid(
      `${name}.ca`,
      'is needed with requestCert: the authorities that sign client certificates',
    );
  }
  const mode = t.mode ?? 'require';
  if (mode !== 'require' && mode !== 'both')
    throw invalid(`${name}.mode`, "must be 'require' or 'both'");
  try {
    createSecureContext(server as SecureContextOptions);
  } catch (error) {
    throw new CoreError(codes.TLS, `${name}: ${(error as Error).message}`, { cause: error });
  }
  return { mode, server };
}

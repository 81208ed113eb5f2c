import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, programSkipReason } from '@support-tools/test-utils';

/** openssl from PATH; under CI a missing one fails the TLS tests where they call it. */
export const OPENSSL = findProgram('openssl') ?? 'openssl';

/** Why TLS tests are skipped here, or undefined when they run (always with CI set). */
export function opensslMissing(): string | undefined {
  return programSkipReason('openssl', 'apt-get install openssl');
}

export interface Certs {
  dir: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  /** The server certificate and key as PKCS#12, with passphrase 'secret'. */
  pfx: Buffer;
  remove(): void;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all made with openssl. */
export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'support-core-tls-'));
  const run = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const p = (name: string) => join(dir, name);
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=SuPPort test CA',
  );
  writeFileSync(p('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    '/CN=localhost',
  );
  run(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.pem'),
    '-days',
    '2',
    '-extfile',
    p('san.ext'),
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('client.key'),
    '-out',
    p('client.csr'),
    '-subj',
    '/CN=client',
  );
  run(
    'x509',
    '-req',
    '-in',
    p('client.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('client.pem'),
    '-days',
    '2',
  );
  run(
    'pkcs12',
    '-export',
    '-in',
    p('server.pem'),
    '-inkey',
    p('server.key'),
    '-out',
    p('server.pfx'),
    '-passout',
    'pass:secret',
  );
  const read = (name: string) => readFileSync(p(name));
  return {
    dir,
    ca: read('ca.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    pfx: read('server.pfx'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

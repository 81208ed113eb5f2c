import { once } from 'node:events';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Group } from '../src/index.js';
import { type Certs, makeCerts, opensslMissing } from './certs.js';
import { get, groups } from './helpers.js';

const skip = opensslMissing();
const g = groups();
const hello = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
) => {
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  res.end(`hello over ${proto}\n`);
};
const local = { host: '127.0.0.1', port: 0 };

describe.skipIf(skip !== undefined)(`Group: TLS${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let c: Certs;
  beforeAll(() => {
    c = makeCerts();
  });
  afterAll(() => c?.remove());

  it('serves HTTPS from PEM files and answers plain HTTP with a 400 naming https', async () => {
    const group = await g.start({
      http: [
        {
          app: hello,
          address: local,
          tls: { cert: join(c.dir, 'server.pem'), key: join(c.dir, 'server.key') },
        },
      ],
    });
    const port = group.port('http');
    expect(await get(port, { https: true, ca: c.ca })).toMatchObject({
      status: 200,
      body: 'hello over https\n',
    });
    const plain = await get(port, { path: '/a/b?c=1', headers: { host: `127.0.0.1:${port}` } });
    expect(plain.status).toBe(400);
    expect(plain.body).toContain(`use https://127.0.0.1:${port}/a/b?c=1`);
  });

  it('serves HTTPS from a PFX with a passphrase', async () => {
    const group = await g.start({
      http: [{ app: hello, address: local, tls: { pfx: c.pfx, passphrase: 'secret' } }],
    });
    expect(await get(group.port('http'), { https: true, ca: c.ca })).toMatchObject({ status: 200 });
  });

  it("serves both protocols on one port with mode 'both'", async () => {
    const group = await g.start({
      http: [{ app: hello, address: local, tls: { cert: c.cert, key: c.key, mode: 'both' } }],
    });
    const port = group.port('http');
    expect((await get(port, { https: true, ca: c.ca })).body).toBe('hello over https\n');
    expect((await get(port)).body).toBe('hello over http\n');
    expect((await get(port, { method: 'POST', body: 'x'.repeat(100_000) })).status).toBe(200);
  });

  it('requires a client certificate signed by the CA (mutual TLS)', async () => {
    const group = await g.start({
      http: [
        {
          app: hello,
          address: local,
          tls: { cert: c.cert, key: c.key, ca: c.ca, requestCert: true },
        },
      ],
    });
    const port = group.port('http');
    const ok = await get(port, { https: true, ca: c.ca, cert: c.clientCert, key: c.clientKey });
    expect(ok.status).toBe(200);
    await expect(get(port, { https: true, ca: c.ca })).rejects.toThrow();
  });

  it('terminates TLS for TCP entries', async () => {
    const group = await g.start({
      tcp: [
        {
          handler: (socket) => socket.pipe(socket),
          address: local,
          tls: { cert: c.cert, key: c.key },
        },
      ],
    });
    const socket = tlsConnect({ host: '127.0.0.1', port: group.port('tcp'), ca: c.ca });
    await once(socket, 'secureConnect');
    socket.write('ping');
    const [echo] = await once(socket, 'data');
    expect(String(echo)).toBe('ping');
    socket.destroy();
  });

  it('rejects an unreadable or bad certificate with SUP_ERR_CORE_TLS', () => {
    expect(
      () =>
        new Group({
          http: [{ app: hello, address: local, tls: { cert: '/nonexistent.pem', key: c.key } }],
        }),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_CORE_TLS' }));
    expect(
      () =>
        new Group({
          http: [
            {
              app: hello,
              address: local,
              tls: {
                cert: '-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n',
                key: c.key,
              },
            },
          ],
        }),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_CORE_TLS' }));
    expect(
      () => new Group({ http: [{ app: hello, address: local, tls: { cert: c.cert } }] }),
    ).toThrow(/needs cert and key, or pfx/);
  });
});

// An ESM Express 5 service using the packages installed from their tarballs:
// web mounted after express.json(), context stats, a backend reached through
// connmgr (with bufsock framing), hashing in threadpool's cpu pool.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import net from 'node:net';
import { BufferedSocket } from '@support/bufsock';
import { ConnectionManager } from '@support/connmgr';
import { getContext } from '@support/context';
import { closePools, configurePools } from '@support/threadpool';
import { Application, renderJSON, route } from '@support/web';
import express from 'express';
import { hash, spin } from './tasks.mjs';

await main();

async function main() {
  const backend = net.createServer((s) => s.on('data', (d) => s.write(`echo:${d}`)));
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const backendAddress = `127.0.0.1:${backend.address().port}`;
  const mgr = new ConnectionManager({ aliases: { backend: backendAddress } });
  const ctx = getContext();
  // A small cpu pool, so that a burst overloads it.
  configurePools({ cpu: { threads: 1, maxQueue: 4 } });

  const api = new Application(
    [
      route(
        'POST',
        '/hash',
        async ({ body }) => {
          ctx.stats.get('app.hash.length').add(body.text.length);
          const digest = await hash(body.text);
          return {
            hex: Buffer.from(digest.buffer, digest.byteOffset, digest.length).toString('hex'),
          };
        },
        renderJSON,
      ),
      route('/spin', async () => ({ ms: await spin(20) }), renderJSON),
      route(
        '/backend',
        async () => {
          const sock = await mgr.getConnection('backend');
          const bs = new BufferedSocket(sock.socket);
          try {
            sock.socket.write('ping\n');
            return { reply: (await bs.recvUntil('\n')).toString() };
          } finally {
            sock.destroy();
          }
        },
        renderJSON,
      ),
    ],
    { notFound: 'next' },
  );
  const app = express();
  app.use(express.json());
  app.use('/api', api.handler);
  app.get('/api/legacy', (_req, res) => res.send('express'));
  const server = createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;

  try {
    const hashed = await fetch(`${base}/api/hash`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'abc' }),
    });
    assert.equal(hashed.status, 200);
    assert.deepEqual(await hashed.json(), {
      hex: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    const echoed = await fetch(`${base}/api/backend`);
    assert.deepEqual(await echoed.json(), { reply: 'echo:ping' });
    assert.equal(await (await fetch(`${base}/api/legacy`)).text(), 'express');
    assert.equal(ctx.stats.get('app.hash.length').n, 1);
    // Overload: QueueFullError answers 503 with Retry-After, and the default
    // error log writes one line, not a stack per request (run.mjs counts).
    const burst = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const res = await fetch(`${base}/api/spin`);
        await res.arrayBuffer();
        return [res.status, res.headers.get('retry-after')];
      }),
    );
    const shed = burst.filter(([status]) => status === 503);
    assert.ok(shed.length > 0, 'some requests are shed');
    assert.ok(shed.every(([, retry]) => retry === '1'));
    assert.ok(burst.every(([status]) => status === 200 || status === 503));
    console.log(`esm app: ${shed.length} of 60 shed with 503`);
    console.log('esm app: ok');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await mgr.close();
    await closePools();
    await new Promise((resolve) => backend.close(resolve));
  }
}

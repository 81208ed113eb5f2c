// The umbrella package installed from its tarball: a preforked Group (two
// workers) serving an Express 5 app, the meta app on its own port. The
// primary checks the answers, stops the Group and prints `ok`; the same
// script runs in each worker, where start() serves until the primary stops it.
import assert from 'node:assert/strict';
import { Group, prefork } from '@support/core';
import express from 'express';

const app = express();
app.get('/', (_req, res) => res.send(`hello from ${process.pid}`));

const group = new Group({
  http: [{ app, address: { host: '127.0.0.1', port: 0 } }],
  prefork: true,
  numWorkers: 2,
  metaAddress: { host: '127.0.0.1', port: 0 },
  arbiter: { signals: false },
});
await group.start();

if (!prefork.isWorker()) {
  try {
    const base = `http://127.0.0.1:${group.port('http')}`;
    const pids = new Set();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(base, { headers: { connection: 'close' } });
      assert.equal(res.status, 200);
      pids.add((await res.text()).split(' ').pop());
    }
    assert.ok(!pids.has(String(process.pid)), 'the workers answer, not the primary');
    const meta = await fetch(`http://127.0.0.1:${group.port('meta')}/workers?format=json`);
    assert.equal(meta.status, 200);
    const workers = JSON.stringify(await meta.json());
    for (const pid of pids) assert.ok(workers.includes(pid), `meta lists worker ${pid}`);
    console.log(`group app: ${pids.size} worker pids answered; meta ok`);
  } finally {
    await group.stop(5_000);
  }
  console.log('group app: ok');
}

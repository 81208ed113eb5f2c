import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Context } from '@support/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createExpressApp, createExpressGroup } from '../src/index.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
}

function call(
  port: number,
  method: string,
  path: string,
  body?: string,
  type = 'application/json',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: body === undefined ? {} : { 'content-type': type },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The same requests, for comparing Group with a bare http.createServer. */
async function conversation(port: number): Promise<Reply[]> {
  return [
    await call(port, 'GET', '/'),
    await call(port, 'POST', '/todos', JSON.stringify({ title: 'write tests' })),
    await call(port, 'POST', '/todos', JSON.stringify({ title: '' })),
    await call(port, 'POST', '/todos', '{not json'),
    await call(port, 'POST', '/todos', JSON.stringify({ title: 'x'.repeat(20_000) })),
    await call(port, 'GET', '/todos/1'),
    await call(port, 'GET', '/todos/99'),
    await call(port, 'GET', '/todos'),
    await call(port, 'GET', '/boom'),
    await call(port, 'GET', '/missing'),
  ];
}

async function underGroup(): Promise<number> {
  const context = new Context({ monitoring: false, watchdog: false });
  const group = createExpressGroup(0, { context });
  await group.start();
  cleanups.push(
    () => context.close(),
    () => group.stop(1000),
  );
  return group.port('http');
}

async function bare(): Promise<number> {
  const server: Server = createServer(createExpressApp());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

describe('examples/express: an Express app under Group', () => {
  it('keeps its routing, JSON bodies and error handler', async () => {
    const replies = await conversation(await underGroup());
    const [home, created, invalid, badJson, tooBig, one, missingTodo, list, boom, notFound] =
      replies;
    expect(home).toMatchObject({ status: 200, body: 'Express, served by a SuPPort Group\n' });
    expect(created!.status).toBe(201);
    expect(JSON.parse(created!.body)).toEqual({ id: 1, title: 'write tests', done: false });
    expect(invalid!.status).toBe(422);
    expect(badJson!.status).toBe(400);
    expect(badJson!.type).toMatch(/application\/json/);
    expect(tooBig!.status).toBe(413);
    expect(JSON.parse(one!.body).title).toBe('write tests');
    expect(missingTodo!.status).toBe(404);
    expect(JSON.parse(list!.body)).toHaveLength(1);
    expect(boom).toMatchObject({ status: 500, body: '{"error":"internal error"}' });
    expect(notFound!.status).toBe(404);
  });

  it('answers exactly as it does on a bare http.createServer', async () => {
    const viaGroup = await conversation(await underGroup());
    const viaBare = await conversation(await bare());
    expect(viaGroup).toEqual(viaBare);
  });
});

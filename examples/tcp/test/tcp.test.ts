import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Context } from '@support/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineGroup } from '../src/index.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(idleTimeout = 5000) {
  const context = new Context({ monitoring: false, watchdog: false });
  const group = createLineGroup(0, { context }, { idleTimeout });
  await group.start();
  cleanups.push(
    () => context.close(),
    () => group.stop(1000),
  );
  return { group, context, port: group.port('line') };
}

/** A client that reads whole lines. */
function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  cleanups.push(() => {
    socket.destroy();
  });
  socket.setEncoding('utf8');
  const lines: string[] = [];
  let partial = '';
  socket.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  const closed = once(socket, 'close');
  return {
    socket,
    closed,
    async next(): Promise<string> {
      for (let i = 0; i < 200 && lines.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      const line = lines.shift();
      if (line === undefined) throw new Error('no line arrived');
      return line;
    },
  };
}

describe('examples/tcp: a line protocol on BufferedSocket under Group', () => {
  it('answers commands, including several in one packet and one split across packets', async () => {
    const { port, context } = await start();
    const c = client(port);
    expect(await c.next()).toMatch(/^HELLO/);
    c.socket.write('ECHO hi there\nUPPER shout\r\n');
    expect(await c.next()).toBe('hi there');
    expect(await c.next()).toBe('SHOUT');
    c.socket.write('EC');
    await new Promise((r) => setTimeout(r, 20));
    c.socket.write('HO split\n');
    expect(await c.next()).toBe('split');
    c.socket.write('NOPE\n');
    expect(await c.next()).toBe('ERR unknown command');
    c.socket.write('QUIT\n');
    expect(await c.next()).toBe('BYE');
    await c.closed;
    await new Promise((r) => setTimeout(r, 20));
    expect(context.snapshot().durations['line.connection']?.n).toBe(1);
  });

  it('closes a connection whose line is too long', async () => {
    const { port } = await start();
    const c = client(port);
    await c.next();
    c.socket.write(`ECHO ${'x'.repeat(5000)}\n`);
    expect(await c.next()).toBe('ERR line too long');
    await c.closed;
  });

  it('closes an idle connection after its timeout', async () => {
    const { port } = await start(200);
    const c = client(port);
    await c.next();
    const started = Date.now();
    await c.closed;
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says goodbye to open connections when the group stops', async () => {
    const { group, port } = await start();
    const c = client(port);
    await c.next();
    await group.stop(2000);
    expect(await c.next()).toBe('BYE shutting down');
    await c.closed;
  });
});

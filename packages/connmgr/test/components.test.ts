import { describe, expect, it } from 'vitest';
import { ConnectionManager } from '../src/index.js';
import { harness, quietContext } from './helpers.js';

const h = harness();

describe('component registration', () => {
  it('a manager lists itself in its context with its status, and leaves on close()', async () => {
    const server = await h.server();
    const mgr = h.manager();
    const sock = await mgr.getConnection(server.address);
    mgr.release(sock);
    const listed = mgr.context.snapshot().components;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      name: 'connmgr',
      kind: 'connmgr',
      status: { closed: false, open: 1, idle: 1, inUse: 0 },
    });
    expect(Object.keys(listed[0]?.status as object)).toEqual(Object.keys(mgr.status()));
    await mgr.close();
    expect(mgr.context.components.list()).toEqual([]);
  });

  it('several managers on one context are listed apart', async () => {
    const context = quietContext();
    const a = new ConnectionManager({ context });
    const b = new ConnectionManager({ context });
    h.cleanups.push(
      () => context.close(),
      () => a.close(),
      () => b.close(),
    );
    expect(context.components.list().map((c) => [c.name, c.kind])).toEqual([
      ['connmgr', 'connmgr'],
      ['connmgr#2', 'connmgr'],
    ]);
    await b.close();
    expect(context.components.names()).toEqual(['connmgr']);
  });
});

import { setImmediate as tick } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { type Component, Components, Context } from '../src/index.js';

// A gc() for this test even without --expose-gc: the flag applies to new contexts.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('components', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('lists registered components with their status, in the snapshot too', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const pool = { kind: 'threadpool', status: () => ({ threads: 2, queued: 0 }) };
    const unregister = ctx.components.register('io', pool);
    expect(ctx.components.list()).toEqual([
      { name: 'io', kind: 'threadpool', status: { threads: 2, queued: 0 } },
    ]);
    const snap = JSON.parse(JSON.stringify(ctx.snapshot()));
    expect(snap.components).toEqual([
      { name: 'io', kind: 'threadpool', status: { threads: 2, queued: 0 } },
    ]);
    expect(snap.componentRegistry).toMatchObject({ size: 1, overflow: 0, collected: 0 });
    unregister();
    unregister();
    expect(ctx.components.list()).toEqual([]);
    expect(ctx.snapshot().components).toEqual([]);
  });

  it('reports a throwing or non-JSON status() as { error } and never throws', () => {
    const reg = new Components();
    const a = {
      kind: 'x',
      status(): unknown {
        throw new Error('broken pool');
      },
    };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const b = { kind: 'y', status: () => cyclic };
    const c = { kind: 'z', status: () => 10n };
    const d = {
      kind: 'w',
      status(): unknown {
        throw 'plain string';
      },
    };
    reg.register('a', a);
    reg.register('b', b);
    reg.register('c', c);
    reg.register('d', d);
    const list = reg.list();
    expect(list[0]).toEqual({ name: 'a', kind: 'x', status: { error: 'broken pool' } });
    expect((list[1]?.status as { error: string } | undefined)?.error).toMatch(
      /^status\(\) is not JSON/,
    );
    expect((list[2]?.status as { error: string } | undefined)?.error).toMatch(
      /^status\(\) is not JSON/,
    );
    expect(list[3]?.status).toEqual({ error: 'plain string' });
  });

  it('status() is read at each list(), through JSON', () => {
    const reg = new Components();
    let n = 0;
    const c = { kind: 'counter', status: () => ({ n: ++n, at: new Date(0), skip: undefined }) };
    reg.register('c', c);
    expect(reg.list()[0]?.status).toEqual({ n: 1, at: '1970-01-01T00:00:00.000Z' });
    expect(reg.list()[0]?.status).toEqual({ n: 2, at: '1970-01-01T00:00:00.000Z' });
  });

  it('gives a taken name a suffix, and unregistering frees only its own entry', () => {
    const reg = new Components();
    const one = { kind: 'connmgr', status: () => 1 };
    const two = { kind: 'connmgr', status: () => 2 };
    const three = { kind: 'connmgr', status: () => 3 };
    const u1 = reg.register('connmgr', one);
    const u2 = reg.register('connmgr', two);
    expect(reg.names()).toEqual(['connmgr', 'connmgr#2']);
    u1();
    const u3 = reg.register('connmgr', three);
    expect(reg.list().map((c) => [c.name, c.status])).toEqual([
      ['connmgr#2', 2],
      ['connmgr', 3],
    ]);
    u1();
    expect(reg.size).toBe(2);
    u2();
    u3();
    expect(reg.size).toBe(0);
  });

  it('is bounded: registrations past the maximum are refused and counted', () => {
    const reg = new Components(3);
    const held: Component[] = [];
    const unregisters = [];
    for (let i = 0; i < 5; i++) {
      const c = { kind: 'k', status: () => i };
      held.push(c);
      unregisters.push(reg.register(`c${i}`, c));
    }
    expect(reg.names()).toEqual(['c0', 'c1', 'c2']);
    expect(reg.info()).toEqual({ size: 3, maxComponents: 3, overflow: 2, collected: 0 });
    unregisters[4]?.();
    expect(reg.size).toBe(3);
    unregisters[0]?.();
    reg.register('again', held[0] as Component);
    expect(reg.names()).toEqual(['c1', 'c2', 'again']);
  });

  it('rejects bad arguments with a coded TypeError naming the argument', () => {
    const reg = new Components();
    expect(() => reg.register('', { kind: 'k', status: () => 1 })).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_CONTEXT_OPTION', name: 'ContextOptionError' }),
    );
    expect(() => reg.register('a', null as never)).toThrow(/component\) must be an object/);
    expect(() => reg.register('a', { kind: '', status: () => 1 })).toThrow(/\.kind must be/);
    expect(() => reg.register('a', { kind: 'k' } as never)).toThrow(/\.status must be a function/);
    expect(reg.size).toBe(0);
  });

  it('holds entries weakly: a dropped component is collected and leaves the list', async () => {
    const reg = new Components();
    const kept = { kind: 'k', status: () => 'kept' };
    reg.register('kept', kept);
    (() => {
      reg.register('dropped', { kind: 'k', status: () => 'dropped' });
    })();
    // No deref between a gc() and the check: a deref keeps its target for the rest of the job.
    for (let i = 0; i < 20 && reg.names().includes('dropped'); i++) {
      await tick();
      gc();
      await tick();
    }
    expect(reg.names()).toEqual(['kept']);
    expect(reg.list().map((c) => c.name)).toEqual(['kept']);
    expect(reg.info().collected).toBe(1);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ContextError, getLocal, localsSnapshot, setLocal, withLocals } from '../src/index.js';

describe('spawn-tree locals', () => {
  it('are seen by what a scope starts asynchronously, and not by siblings', async () => {
    const seen: Array<[string, unknown, unknown]> = [];
    await withLocals(async () => {
      setLocal('request', 'parent');
      await Promise.all(
        ['a', 'b'].map((name) =>
          withLocals(async () => {
            setLocal('child', name);
            await sleep(name === 'a' ? 20 : 5);
            seen.push([name, getLocal('request'), getLocal('child')]);
          }),
        ),
      );
      expect(getLocal('child')).toBeUndefined();
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push(['immediate', getLocal('request'), getLocal('child')]);
          resolve();
        }),
      );
    });
    expect(seen.sort()).toEqual([
      ['a', 'parent', 'a'],
      ['b', 'parent', 'b'],
      ['immediate', 'parent', undefined],
    ]);
    expect(getLocal('request')).toBeUndefined();
  });

  it('let an inner scope shadow an outer value without changing it', () => {
    withLocals(() => {
      setLocal('x', 1);
      withLocals(() => {
        setLocal('x', 2);
        expect(localsSnapshot()).toEqual({ x: 2 });
      });
      expect(getLocal('x')).toBe(1);
    });
  });

  it('refuse setLocal outside every scope rather than make global state', () => {
    let caught: unknown;
    try {
      setLocal('x', 1);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ContextError);
    expect((caught as ContextError).code).toBe('SUP_ERR_CONTEXT_NO_SCOPE');
  });
});

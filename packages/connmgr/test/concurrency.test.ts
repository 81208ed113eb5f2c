import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClosedError, type MonitoredSocket, type ResolvedAddress } from '../src/index.js';
import { blackhole, harness } from './helpers.js';

const { cleanups, manager, server } = harness();

// Each abort listener on one shared signal used to trip Node's limit of 10
// (MaxListenersExceededWarning on the user's stderr): the manager's close
// signal, a signal the caller passes to many calls, the resolver's signal.
let warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

const settle = () => new Promise((resolve) => setImmediate(resolve));
const listenerWarnings = () => warnings.filter((w) => w.name === 'MaxListenersExceededWarning');

describe('concurrent connects', () => {
  it('1,000 concurrent fresh connects, one caller signal for all: no MaxListenersExceededWarning', async () => {
    const echo = await server();
    const mgr = manager();
    const caller = new AbortController();
    const socks = await Promise.all(
      Array.from({ length: 1000 }, () =>
        mgr.getConnection(echo.address, { signal: caller.signal, connectTimeout: 30_000 }),
      ),
    );
    cleanups.push(() => {
      for (const s of socks) s.destroy();
    });
    await settle();
    expect(new Set(socks).size).toBe(1000);
    expect(mgr.status().inUse).toBe(1000);
    expect(listenerWarnings()).toEqual([]);
  }, 60_000);

  it('50 host names resolved at once by a resolver that listens to its signal: no warning', async () => {
    const echo = await server();
    const signals = new Set<AbortSignal>();
    const resolver = async (_host: string, { signal }: { signal: AbortSignal }) => {
      signals.add(signal);
      signal.addEventListener('abort', () => {}, { once: true });
      await new Promise((resolve) => setTimeout(resolve, 20));
      return [{ address: '127.0.0.1', family: 4 }] as ResolvedAddress[];
    };
    const mgr = manager({ dns: { resolver } });
    const socks: MonitoredSocket[] = await Promise.all(
      Array.from({ length: 50 }, (_, i) => mgr.getConnection(`host${i}.test:${echo.port}`)),
    );
    cleanups.push(() => {
      for (const s of socks) s.destroy();
    });
    await settle();
    expect(signals.size).toBe(50);
    expect(listenerWarnings()).toEqual([]);
  });

  it('close() still aborts every call in flight, however many', async () => {
    const hole = await blackhole();
    cleanups.push(() => hole.close());
    const mgr = manager();
    const calls = Array.from({ length: 200 }, () =>
      mgr.getConnection(hole.address, { connectTimeout: 30_000 }).catch((e: unknown) => e),
    );
    await settle();
    await mgr.close();
    const errors = await Promise.all(calls);
    expect(errors.every((e) => e instanceof ClosedError)).toBe(true);
    expect(listenerWarnings()).toEqual([]);
  });
});

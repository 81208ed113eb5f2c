import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Load } from '../src/protocol.js';
import { LoadReporter } from '../src/worker/load-reporter.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(maxClients = 10) {
  const load: Load = { conns: 0, reqs: 0, ack: 0 };
  const sent: Load[] = [];
  const reporter = new LoadReporter(
    () => ({ ...load }),
    (l) => sent.push(l),
    maxClients,
    5,
    () => Date.now(),
  );
  return { load, sent, reporter };
}

describe('LoadReporter', () => {
  it('sends the first change at the end of the turn, then at most one report per interval', async () => {
    const { load, sent, reporter } = setup();
    load.conns = 1;
    load.ack = 1;
    reporter.changed();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([{ conns: 1, reqs: 0, ack: 1 }]);
    // A busy keep-alive connection: many changes within the next 5 ms.
    for (let i = 0; i < 100; i++) {
      load.reqs = (i % 3) + 1;
      reporter.changed();
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual({ conns: 1, reqs: 1, ack: 1 });
  });

  it('does not send a load equal to the last one sent', async () => {
    const { load, sent, reporter } = setup();
    load.conns = 2;
    reporter.changed();
    await vi.advanceTimersByTimeAsync(0);
    load.reqs = 1;
    reporter.changed();
    load.reqs = 0; // the request ended within the interval
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([{ conns: 2, reqs: 0, ack: 0 }]);
  });

  it('sends a crossing of maxClients at the end of the turn, within the interval', async () => {
    const { load, sent, reporter } = setup(4);
    load.reqs = 1;
    reporter.changed();
    await vi.advanceTimersByTimeAsync(0);
    load.reqs = 4; // full
    reporter.changed();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.at(-1)).toEqual({ conns: 0, reqs: 4, ack: 0 });
    load.reqs = 3; // room again: the arbiter may hand it a queued connection
    reporter.changed();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.at(-1)).toEqual({ conns: 0, reqs: 3, ack: 0 });
    expect(sent).toHaveLength(3);
  });

  it('counts a heartbeat as a report, and sends nothing after close()', async () => {
    const { load, sent, reporter } = setup();
    load.conns = 1;
    reporter.noteSent({ ...load });
    reporter.changed();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([]);
    load.conns = 2;
    reporter.changed();
    reporter.close();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

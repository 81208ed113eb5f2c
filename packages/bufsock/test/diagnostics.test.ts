import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferedSocket, MessageTooLongError, TimeoutError } from '../src/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('diagnostics channels', () => {
  it('publishes timeouts, over-long messages, backpressure and close', async () => {
    const events: [string, Record<string, unknown>][] = [];
    const names = ['timeout', 'message-too-long', 'backpressure', 'close'];
    const listeners = names.map((name) => {
      const listener = (message: unknown) =>
        events.push([name, message as Record<string, unknown>]);
      subscribe(`support:bufsock:${name}`, listener);
      return [name, listener] as const;
    });
    try {
      const loop = new PassThrough();
      const sock = new BufferedSocket(loop, { maxsize: 8 });
      await expect(sock.recvSize(1, { timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
      await sock.send('0123456789');
      await expect(sock.recvUntil('\n')).rejects.toBeInstanceOf(MessageTooLongError);
      expect(loop.isPaused()).toBe(true);
      await sock.recvSize(10);
      await sock.close();
      const kinds = events.map(([name]) => name);
      expect(kinds).toContain('timeout');
      expect(kinds).toContain('message-too-long');
      expect(kinds).toContain('close');
      const pressure = events.filter(([name]) => name === 'backpressure').map(([, m]) => m.paused);
      expect(pressure).toEqual([true, false]);
      const timeout = events.find(([name]) => name === 'timeout')![1];
      expect(timeout).toMatchObject({ socket: sock, operation: 'recvSize', timeout: 10 });
    } finally {
      for (const [name, listener] of listeners) unsubscribe(`support:bufsock:${name}`, listener);
    }
  });
});

describe('deadlines with fake timers', () => {
  it('an operation rejects exactly at its deadline, not before', async () => {
    vi.useFakeTimers();
    const loop = new PassThrough();
    const sock = new BufferedSocket(loop, { timeout: 1_000 });
    let outcome: unknown;
    const pending = sock.recvSize(4).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    void pending.then((value) => {
      outcome = value;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as TimeoutError).timeout).toBe(1_000);
    vi.useRealTimers();
    await sock.close();
  });

  it('close() clears every timer', async () => {
    vi.useFakeTimers();
    const sock = new BufferedSocket(new PassThrough(), { timeout: 60_000 });
    const pending = sock.recvSize(1).catch((e: unknown) => e);
    expect(vi.getTimerCount()).toBe(1);
    const closed = sock.close();
    await pending;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
    await closed;
  });
});

import { once } from 'node:events';
import { Duplex, PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferedSocket,
  ConnectionClosedError,
  MessageTooLongError,
  TimeoutError,
} from '../src/index.js';
import { type Pair, sleep, tcpPair, write } from './helpers.js';

let pair: Pair | undefined;
let bs: BufferedSocket | undefined;

afterEach(async () => {
  await bs?.close();
  await pair?.close();
  bs = undefined;
  pair = undefined;
});

const KiB = 1024;
const MiB = 1024 * KiB;

/** Waits until `check()` is true, polling; fails after `ms`. */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

describe('backpressure and bounded memory', () => {
  it('pauses the socket when the buffer is full and resumes as it is consumed, losing nothing', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local, { maxsize: 32 * KiB });
    const payload = Buffer.alloc(4 * MiB);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const written = write(pair.remote, payload);
    await until(() => pair!.local.isPaused());
    await sleep(50);
    // Bounded: maxsize plus at most a chunk or so, never the whole 4 MiB.
    expect(bs.bufferedLength).toBeGreaterThanOrEqual(32 * KiB);
    expect(bs.bufferedLength).toBeLessThan(32 * KiB + 256 * KiB);
    expect(pair.remote.writableLength).toBeGreaterThan(0);
    const parts: Buffer[] = [];
    let total = 0;
    while (total < payload.length) {
      const part = await bs.recv(10_000);
      parts.push(part);
      total += part.length;
    }
    await written;
    expect(Buffer.concat(parts).equals(payload)).toBe(true);
  });

  it('a peer flooding without the delimiter gets MessageTooLong after maxsize and stays paused', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local, { maxsize: 16 * KiB });
    const chunk = Buffer.alloc(64 * KiB, 'x');
    let sent = 0;
    let stop = false;
    const flood = (async () => {
      while (!stop && sent < 64 * MiB) {
        sent += chunk.length;
        if (!pair!.remote.write(chunk)) await once(pair!.remote, 'drain');
      }
    })().catch(() => {});
    const error = await bs.recvUntil('\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLongError);
    expect((error as MessageTooLongError).bytesRead).toBeGreaterThan(16 * KiB);
    await sleep(100);
    expect(pair.local.isPaused()).toBe(true);
    expect(bs.bufferedLength).toBeLessThan(16 * KiB + 256 * KiB);
    // The flooder is held back by TCP, far short of 64 MiB.
    expect(sent).toBeLessThan(48 * MiB);
    stop = true;
    await bs.close();
    await flood;
  });

  it('a large recvSize raises the pause threshold to what it needs', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local, { maxsize: 8 * KiB });
    const payload = Buffer.alloc(2 * MiB, 'b');
    const pending = bs.recvSize(payload.length);
    await write(pair.remote, payload);
    expect((await pending).equals(payload)).toBe(true);
  });
});

describe('sending', () => {
  it('send resolves with the byte count once written; buffer + flush batch into one write', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local);
    const peer = new BufferedSocket(pair.remote);
    expect(await bs.send('hello ')).toBe(6);
    bs.buffer('a');
    bs.buffer(Buffer.from('b'));
    bs.buffer(new Uint8Array([0x63]));
    expect(bs.getSendBuffer().toString()).toBe('abc');
    expect(await bs.flush()).toBe(3);
    expect(bs.getSendBuffer().length).toBe(0);
    bs.buffer('x');
    expect(await bs.sendAll('yz')).toBe(3);
    expect((await peer.recvSize(12)).toString()).toBe('hello abcxyz');
    peer.detach();
  });

  it('honours drain under the deadline; a send that times out before writing writes nothing', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local);
    pair.remote.pause();
    const big = Buffer.alloc(48 * MiB, 'q');
    await expect(bs.send(big, { timeout: 100 })).rejects.toBeInstanceOf(TimeoutError);
    expect(pair.local.writableNeedDrain).toBe(true);
    bs.buffer('kept');
    const error = await bs.send('never', { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(bs.getSendBuffer().toString()).toBe('kept');
    // The peer reads everything: exactly the big buffer, nothing of the timed-out send.
    let received = 0;
    let tail: Buffer = Buffer.alloc(0);
    pair.remote.on('data', (chunk: Buffer) => {
      received += chunk.length;
      tail = chunk;
    });
    pair.remote.resume();
    await until(() => received >= big.length, 20_000);
    await sleep(50);
    expect(received).toBe(big.length);
    expect(tail.at(-1)).toBe('q'.charCodeAt(0));
  });

  it('an aborted send rejects with the reason', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local);
    pair.remote.pause();
    void bs.send(Buffer.alloc(48 * MiB), { timeout: 60_000 }).catch(() => {});
    const controller = new AbortController();
    const pending = bs.send('x', { signal: controller.signal, timeout: 60_000 });
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });

  it('shutdown half-closes; the reply is read with recvClose', async () => {
    pair = await tcpPair({ allowHalfOpen: true });
    bs = new BufferedSocket(pair.local);
    const remote = pair.remote;
    const request: Buffer[] = [];
    remote.on('data', (c: Buffer) => request.push(c));
    remote.on('end', () => remote.end(`got ${Buffer.concat(request).toString()}`));
    bs.buffer('req');
    await bs.send('uest');
    await bs.shutdown();
    expect((await bs.recvClose()).toString()).toBe('got request');
    await expect(bs.send('late')).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('lifecycle', () => {
  it('close rejects pending operations and later ones', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local);
    const pending = bs.recvSize(5);
    await bs.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(bs.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(bs.send('x')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(pair.local.destroyed).toBe(true);
  });

  it('await using disposes', async () => {
    pair = await tcpPair();
    const local = pair.local;
    {
      await using sock = new BufferedSocket(local);
      await sock.send('x');
    }
    expect(local.destroyed).toBe(true);
  });

  it('detach hands back the socket, paused, with the buffered bytes', async () => {
    pair = await tcpPair();
    const sock = new BufferedSocket(pair.local);
    await write(pair.remote, 'line1\nrest');
    expect((await sock.recvUntil('\n')).toString()).toBe('line1');
    await sleep(10);
    sock.buffer('unsent');
    const { socket, buffered, sendBuffer } = sock.detach();
    expect(buffered.toString()).toBe('rest');
    expect(sendBuffer.toString()).toBe('unsent');
    expect(socket.isPaused()).toBe(true);
    expect(socket.listenerCount('data')).toBe(0);
    await write(pair.remote, '+more');
    const next = once(socket, 'data');
    socket.resume();
    expect(String((await next)[0])).toBe('+more');
    await expect(sock.recv()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('a detached socket can be wrapped again and reads on', async () => {
    pair = await tcpPair();
    const first = new BufferedSocket(pair.local);
    await write(pair.remote, 'a\n');
    expect((await first.recvUntil('\n')).toString()).toBe('a');
    const { socket } = first.detach();
    expect(socket.isPaused()).toBe(true);
    bs = new BufferedSocket(socket);
    await write(pair.remote, 'b\n');
    expect((await bs.recvUntil('\n', { timeout: 2000 })).toString()).toBe('b');
  });

  it('a peer reset rejects pending receives with ConnectionClosedError', async () => {
    pair = await tcpPair();
    bs = new BufferedSocket(pair.local);
    const pending = bs.recvSize(100);
    await write(pair.remote, 'abc');
    await sleep(10);
    pair.remote.resetAndDestroy();
    const error = (await pending.catch((e: unknown) => e)) as ConnectionClosedError;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error.bytesRead).toBe(3);
  });

  it('recv returns at most one arrived chunk, without copying', async () => {
    const stream = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
    const sock = new BufferedSocket(stream);
    await sleep(1);
    const first = Buffer.from('first');
    stream.push(first);
    stream.push(Buffer.from('second'));
    const got = await sock.recv(100);
    expect(got.toString()).toBe('first');
    expect(got.buffer).toBe(first.buffer);
    expect((await sock.recv(3)).toString()).toBe('sec');
    expect((await sock.recvSize(3)).toString()).toBe('ond');
    await sock.close();
  });

  it('works over any Duplex, not only sockets', async () => {
    const loop = new PassThrough();
    const sock = new BufferedSocket(loop);
    await sock.send('a,b,');
    expect((await sock.recvUntil(',')).toString()).toBe('a');
    expect((await sock.recvUntil(',')).toString()).toBe('b');
    await sock.close();
  });
});

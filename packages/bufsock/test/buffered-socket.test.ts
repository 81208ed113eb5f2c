import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferedSocket,
  type BufferedSocketOptions,
  ConnectionClosedError,
  InvalidOptionError,
  MessageTooLongError,
  ReceivePendingError,
  TimeoutError,
} from '../src/index.js';
import { type Pair, sleep, tcpPair, write } from './helpers.js';

let pair: Pair | undefined;
let bs: BufferedSocket | undefined;

async function setup(options?: ConstructorParameters<typeof BufferedSocket>[1]) {
  pair = await tcpPair();
  bs = new BufferedSocket(pair.local, options);
  return { bs, remote: pair.remote };
}

afterEach(async () => {
  await bs?.close();
  await pair?.close();
  bs = undefined;
  pair = undefined;
});

describe('BufferedSocket receive', () => {
  it('recvSize returns exactly the requested bytes across chunks', async () => {
    const { bs, remote } = await setup();
    const pending = bs.recvSize(10);
    await write(remote, 'hello');
    await sleep(10);
    await write(remote, ' world!!');
    expect((await pending).toString()).toBe('hello worl');
    expect((await bs.recvSize(3)).toString()).toBe('d!!');
  });

  it('recv returns what is available, up to size', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'abcdef');
    expect((await bs.recv(4)).toString()).toBe('abcd');
    expect((await bs.recv(100)).toString()).toBe('ef');
  });

  it('recvUntil finds a delimiter split across chunks and consumes it', async () => {
    const { bs, remote } = await setup();
    const line = bs.recvUntil('\r\n');
    await write(remote, 'PING\r');
    await sleep(20);
    await write(remote, '\nNEXT\r\n');
    expect((await line).toString()).toBe('PING');
    expect((await bs.recvUntil('\r\n', { withDelimiter: true })).toString()).toBe('NEXT\r\n');
    expect(bs.bufferedLength).toBe(0);
  });

  it('recvUntil with alternatives picks the earliest match', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'a;b\nc\n');
    expect((await bs.recvUntil(['\n', ';'])).toString()).toBe('a');
    expect((await bs.recvUntil([Buffer.from('\n'), ';'])).toString()).toBe('b');
  });

  it('peek leaves the bytes buffered', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'xyz');
    expect((await bs.peek(2)).toString()).toBe('xy');
    expect((await bs.recvSize(3)).toString()).toBe('xyz');
  });

  it('receives run in call order', async () => {
    const { bs, remote } = await setup();
    const a = bs.recvSize(2);
    const b = bs.recvUntil('\n');
    const c = bs.recv();
    await write(remote, '12line\nrest');
    expect((await a).toString()).toBe('12');
    expect((await b).toString()).toBe('line');
    expect((await c).toString()).toBe('rest');
  });

  it('recvUntil rejects with MessageTooLongError past maxsize and keeps every byte', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'x'.repeat(100));
    const error = await bs.recvUntil('\n', { maxsize: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLongError);
    expect((error as MessageTooLongError).code).toBe('SUP_ERR_BUFSOCK_MESSAGE_TOO_LONG');
    expect((error as MessageTooLongError).maxsize).toBe(50);
    expect((error as MessageTooLongError).bytesRead).toBeGreaterThanOrEqual(51);
    expect((error as MessageTooLongError).delimiter).toEqual(Buffer.from('\n'));
    await write(remote, '\n');
    expect((await bs.recvUntil('\n', { maxsize: 1000 })).toString()).toBe('x'.repeat(100));
  });

  it('a message of exactly maxsize bytes is accepted', async () => {
    const { bs, remote } = await setup();
    await write(remote, `${'y'.repeat(64)}\r\n`);
    expect((await bs.recvUntil('\r\n', { maxsize: 64 })).length).toBe(64);
  });

  it('times out per operation and loses nothing', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'part');
    const started = Date.now();
    const error = await bs.recvSize(10, { timeout: 50 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('SUP_ERR_BUFSOCK_TIMEOUT');
    expect((error as TimeoutError).bytesRead).toBe(4);
    await write(remote, 'ial!!!');
    expect((await bs.recvSize(10)).toString()).toBe('partial!!!');
  });

  it('recvUntil timeout keeps the partial line', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'GET /');
    await expect(bs.recvUntil('\n', { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    await write(remote, 'x\n');
    expect((await bs.recvUntil('\n')).toString()).toBe('GET /x');
  });

  it('an aborted operation rejects with the reason promptly and loses nothing', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'ab');
    const controller = new AbortController();
    const pending = bs.recvSize(5, { signal: controller.signal, timeout: 60_000 });
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
    await write(remote, 'cde');
    expect((await bs.recvSize(5)).toString()).toBe('abcde');
  });

  it('an already aborted signal rejects without consuming', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'ok');
    await sleep(10);
    await expect(bs.recv(2, { signal: AbortSignal.abort('why') })).rejects.toBe('why');
    expect((await bs.recv(2)).toString()).toBe('ok');
  });

  it('a timed-out operation in the middle of the queue does not disturb the others', async () => {
    const { bs, remote } = await setup();
    const first = bs.recvSize(3, { timeout: 5_000 });
    const second = bs.recvSize(3, { timeout: 20 });
    await expect(second).rejects.toBeInstanceOf(TimeoutError);
    const third = bs.recvSize(2);
    await write(remote, 'abcde');
    expect((await first).toString()).toBe('abc');
    expect((await third).toString()).toBe('de');
  });

  it('at end of stream recv resolves empty and recvSize rejects with the bytes read', async () => {
    const { bs, remote } = await setup();
    remote.end('tail');
    const error = await bs.recvSize(10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).code).toBe('SUP_ERR_BUFSOCK_CONNECTION_CLOSED');
    expect((error as ConnectionClosedError).bytesRead).toBe(4);
    expect((error as ConnectionClosedError).buffered.toString()).toBe('tail');
    await expect(bs.recvUntil('\n')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect((await bs.recv()).toString()).toBe('tail');
    expect((await bs.recv()).length).toBe(0);
  });

  it('recvClose returns everything until the peer closes, bounded by maxsize', async () => {
    const { bs, remote } = await setup();
    const all = bs.recvClose();
    await write(remote, 'one ');
    remote.end('two');
    expect((await all).toString()).toBe('one two');
  });

  it('recvClose rejects with MessageTooLongError past maxsize', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'z'.repeat(200));
    const error = await bs.recvClose({ maxsize: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLongError);
    expect((error as MessageTooLongError).delimiter).toBeUndefined();
    expect(bs.getRecvBuffer().length).toBe(200);
  });

  it('validates options with messages that name them', async () => {
    const { bs } = await setup();
    expect(() => new BufferedSocket(pair!.local, { maxsize: 0 })).toThrow(/options\.maxsize/);
    expect(() => new BufferedSocket(pair!.local, { timeout: -1 })).toThrow(InvalidOptionError);
    const typo = { maxSize: 10 } as unknown as BufferedSocketOptions;
    expect(() => new BufferedSocket(pair!.local, typo)).toThrow(
      'options.maxSize is not an option; did you mean "maxsize"?',
    );
    const bogus = { bogus: 1 } as unknown as BufferedSocketOptions;
    expect(() => new BufferedSocket(pair!.local, bogus)).toThrow(
      /^options\.bogus is not an option$/,
    );
    await expect(bs.recvSize(-1)).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(bs.recvUntil('')).rejects.toThrow(/delimiter/);
    await expect(bs.recv(1, { timeout: 0 })).rejects.toThrow(/options\.timeout/);
  });
});

describe('BufferedSocket synchronous fast path', () => {
  it('tryRecvSize / tryRecvUntil return undefined until the bytes are there', async () => {
    const { bs, remote } = await setup();
    expect(bs.tryRecvSize(4)).toBeUndefined();
    await write(remote, '\x00\x00\x00\x03abcline\r\nmore');
    await bs.peek(16);
    const header = bs.tryRecvSize(4)!;
    expect(header.readUInt32BE(0)).toBe(3);
    expect(bs.tryRecvSize(3)!.toString()).toBe('abc');
    expect(bs.tryRecvUntil('\r\n')!.toString()).toBe('line');
    expect(bs.tryRecvUntil('\r\n')).toBeUndefined();
    expect(bs.tryPeek(2)!.toString()).toBe('mo');
    expect(bs.tryRecv(10)!.toString()).toBe('more');
  });

  it('tryRecvSize validates the size however it is called', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'abcdef');
    await bs.peek(6);
    for (const size of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '4']) {
      expect(() => bs.tryRecvSize(size as number)).toThrow(InvalidOptionError);
    }
    expect(bs.tryRecvSize(0)!.length).toBe(0);
    expect(bs.tryRecvSize(2 ** 32)).toBeUndefined();
    expect(bs.tryRecvSize(6)!.toString()).toBe('abcdef');
  });

  it('tryRecvSize returns a view inside a chunk and a copy across chunks', async () => {
    const loop = new PassThrough();
    const sock = new BufferedSocket(loop, { timeout: 2000 });
    const first = Buffer.from('abcdef');
    const second = Buffer.from('ghij');
    loop.write(first);
    await sock.peek(6);
    loop.write(second);
    await sock.peek(10);
    const view = sock.tryRecvSize(4)!;
    const across = sock.tryRecvSize(4)!;
    expect([view.toString(), across.toString()]).toEqual(['abcd', 'efgh']);
    first.fill(0x2e);
    second.fill(0x2e);
    expect([view.toString(), across.toString()]).toEqual(['....', 'efgh']);
    expect(sock.tryRecvSize(2)!.toString()).toBe('..');
    await sock.close();
  });

  it('draining a paused buffer with tryRecvSize resumes the socket', async () => {
    const loop = new PassThrough();
    const sock = new BufferedSocket(loop, { timeout: 2000, maxsize: 16 });
    loop.write(Buffer.alloc(64, 7));
    await sock.peek(1);
    expect(loop.isPaused()).toBe(true);
    for (let i = 0; i < 16; i++) expect(sock.tryRecvSize(4)).toEqual(Buffer.alloc(4, 7));
    expect(loop.isPaused()).toBe(false);
    await sock.close();
  });

  it('refuses to jump the queue of pending asynchronous receives', async () => {
    const { bs, remote } = await setup();
    const pending = bs.recvSize(2);
    expect(() => bs.tryRecvSize(1)).toThrow(ReceivePendingError);
    await write(remote, 'ok');
    expect((await pending).toString()).toBe('ok');
  });

  it('tryRecvUntil throws MessageTooLongError without consuming', async () => {
    const { bs, remote } = await setup();
    await write(remote, 'q'.repeat(40));
    await bs.peek(40);
    expect(() => bs.tryRecvUntil('\n', { maxsize: 10 })).toThrow(MessageTooLongError);
    expect(bs.bufferedLength).toBe(40);
  });
});

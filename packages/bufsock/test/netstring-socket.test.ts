import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionClosedError,
  NetstringInvalidSizeError,
  NetstringMessageTooLongError,
  NetstringProtocolError,
  NetstringSocket,
  TimeoutError,
} from '../src/index.js';
import { type Pair, sleep, tcpPair, write } from './helpers.js';

let pair: Pair | undefined;
let ns: NetstringSocket | undefined;

async function setup(options?: ConstructorParameters<typeof NetstringSocket>[1]) {
  pair = await tcpPair();
  ns = new NetstringSocket(pair.local, options);
  return { ns, remote: pair.remote };
}

afterEach(async () => {
  await ns?.close();
  await pair?.close();
  ns = undefined;
  pair = undefined;
});

describe('NetstringSocket', () => {
  it('round-trips netstrings, including empty and binary payloads', async () => {
    pair = await tcpPair();
    const a = new NetstringSocket(pair.local);
    const b = new NetstringSocket(pair.remote);
    ns = a;
    await a.writeNetstring('hello world');
    await a.writeNetstring('');
    await a.writeNetstring(Buffer.from([0, 0x3a, 0x2c, 255]));
    expect((await b.readNetstring()).toString()).toBe('hello world');
    expect((await b.readNetstring()).length).toBe(0);
    expect([...(await b.readNetstring())]).toEqual([0, 0x3a, 0x2c, 255]);
    b.detach();
  });

  it('reads a netstring that arrives a byte at a time', async () => {
    const { ns, remote } = await setup();
    const pending = ns.readNetstring();
    for (const ch of '12:hello, world,') {
      await write(remote, ch);
      await sleep(1);
    }
    expect((await pending).toString()).toBe('hello, world');
  });

  it('the wire format is <length>:<payload>,', async () => {
    const { ns, remote } = await setup();
    const got: Buffer[] = [];
    remote.on('data', (c: Buffer) => got.push(c));
    await ns.writeNetstring('abc');
    await sleep(20);
    expect(Buffer.concat(got).toString()).toBe('3:abc,');
  });

  it('rejects a malformed size with NetstringInvalidSizeError', async () => {
    const { ns, remote } = await setup();
    await write(remote, '1x:a,');
    const error = await ns.readNetstring().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetstringInvalidSizeError);
    expect(error).toBeInstanceOf(NetstringProtocolError);
    expect((error as NetstringInvalidSizeError).code).toBe(
      'SUP_ERR_BUFSOCK_NETSTRING_INVALID_SIZE',
    );
    expect(ns.bufferedLength).toBe(5);
  });

  it('rejects leading zeros and an empty length', async () => {
    const { ns, remote } = await setup();
    await write(remote, '03:abc,');
    await expect(ns.readNetstring()).rejects.toBeInstanceOf(NetstringInvalidSizeError);
    ns.detach();
    const again = await tcpPair();
    const other = new NetstringSocket(again.local);
    await write(again.remote, ':abc,');
    await expect(other.readNetstring()).rejects.toBeInstanceOf(NetstringInvalidSizeError);
    await other.close();
    await again.close();
  });

  it('rejects a missing comma with NetstringProtocolError', async () => {
    const { ns, remote } = await setup();
    await write(remote, '3:abc;');
    const error = await ns.readNetstring().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetstringProtocolError);
    expect((error as NetstringProtocolError).code).toBe('SUP_ERR_BUFSOCK_NETSTRING_PROTOCOL');
  });

  it('rejects an oversize netstring from its length prefix alone', async () => {
    const { ns, remote } = await setup({ maxsize: 100 });
    await write(remote, '101:');
    const error = await ns.readNetstring().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetstringMessageTooLongError);
    expect((error as NetstringMessageTooLongError).size).toBe(101);
    expect((error as NetstringMessageTooLongError).maxsize).toBe(100);
  });

  it('rejects a length prefix with too many digits without waiting for the colon', async () => {
    const { ns, remote } = await setup({ maxsize: 100 });
    await write(remote, '99999');
    await expect(ns.readNetstring({ timeout: 5_000 })).rejects.toBeInstanceOf(
      NetstringMessageTooLongError,
    );
  });

  it('rejects EOF in the middle of a netstring with ConnectionClosedError', async () => {
    const { ns, remote } = await setup();
    remote.end('10:abc');
    const error = await ns.readNetstring().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).bytesRead).toBe(6);
  });

  it('the deadline covers the payload, not just the length, and nothing is lost', async () => {
    const { ns, remote } = await setup();
    await write(remote, '5:ab');
    await expect(ns.readNetstring({ timeout: 40 })).rejects.toBeInstanceOf(TimeoutError);
    expect(ns.bufferedLength).toBe(4);
    await write(remote, 'cde,');
    expect((await ns.readNetstring()).toString()).toBe('abcde');
  });

  it('writeNetstring refuses payloads over maxsize', async () => {
    const { ns } = await setup({ maxsize: 4 });
    await expect(ns.writeNetstring('12345')).rejects.toBeInstanceOf(NetstringMessageTooLongError);
  });

  it('tryReadNetstring returns complete netstrings synchronously', async () => {
    const { ns, remote } = await setup();
    await write(remote, '1:a,2:bc,3:d');
    await ns.peek(12);
    expect(ns.tryReadNetstring()!.toString()).toBe('a');
    expect(ns.tryReadNetstring()!.toString()).toBe('bc');
    expect(ns.tryReadNetstring()).toBeUndefined();
    expect(ns.bufferedLength).toBe(3);
  });
});

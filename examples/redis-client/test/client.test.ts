import { randomBytes } from 'node:crypto';
import { ConnectionClosedError, TimeoutError } from '@support/bufsock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisClient, RedisReplyError } from '../src/index.js';
import { type RedisUnderTest, redisSkipReason, startRedis } from './redis-server.js';

let redis: RedisUnderTest;
let client: RedisClient;
const extra: RedisClient[] = [];
const prefix = `support-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
const used = new Set<string>();
const key = (name: string): string => {
  used.add(prefix + name);
  return prefix + name;
};

// On a machine without redis the reason shows as a skipped test of its own
// (and once on stderr, which the default reporter prints).
if (redisSkipReason !== undefined) {
  console.warn(`examples/redis-client: tests skipped: ${redisSkipReason}`);
  it.skip(redisSkipReason, () => {});
}

beforeAll(async () => {
  if (redisSkipReason !== undefined) return;
  redis = await startRedis();
  client = await RedisClient.connect(redis.url);
});

afterEach(async () => {
  for (const c of extra.splice(0)) await c.close();
});

afterAll(async () => {
  await client?.del([...used]);
  await client?.close();
  await redis?.stop();
});

describe.skipIf(redisSkipReason !== undefined)('RedisClient against a real redis-server', () => {
  it('PING', async () => {
    expect(await client.ping()).toBe('PONG');
    expect((await client.command(['PING', 'hi'])) as Buffer).toEqual(Buffer.from('hi'));
  });

  it('SET / GET / DEL, and GET of a missing key is null', async () => {
    expect(await client.set(key('a'), 'value one')).toBe(true);
    expect(await client.get(key('a'))).toBe('value one');
    expect(await client.del([key('a')])).toBe(1);
    expect(await client.get(key('a'))).toBeNull();
  });

  it('values are binary-safe, CRLF and NUL included', async () => {
    const value = Buffer.from([0, 13, 10, 255, 36, 42, 13, 10, 0]);
    await client.set(key('bin'), value);
    expect(await client.getBuffer(key('bin'))).toEqual(value);
  });

  it('a 4 MiB value round-trips', async () => {
    const value = randomBytes(4 * 1024 * 1024);
    await client.set(key('big'), value);
    expect((await client.getBuffer(key('big')))!.equals(value)).toBe(true);
  });

  it('INCR counts', async () => {
    expect(await client.incr(key('n'))).toBe(1);
    expect(await client.incr(key('n'))).toBe(2);
    expect(await client.command(['INCRBY', key('n'), 40])).toBe(42);
  });

  it('error replies reject with RedisReplyError and leave the connection usable', async () => {
    await client.set(key('text'), 'not a number');
    const error = await client.incr(key('text')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisReplyError);
    expect((error as RedisReplyError).prefix).toBe('ERR');
    expect((error as RedisReplyError).message).toMatch(/not an integer/);
    await expect(client.command(['NO-SUCH-COMMAND'])).rejects.toBeInstanceOf(RedisReplyError);
    await client.command(['RPUSH', key('list'), 'x']);
    const wrongType = await client.get(key('list')).catch((e: unknown) => e);
    expect((wrongType as RedisReplyError).prefix).toBe('WRONGTYPE');
    expect(await client.ping()).toBe('PONG');
  });

  it('pipelines N commands in one write, errors in place', async () => {
    const n = 1000;
    const commands = Array.from({ length: n }, () => ['INCR', key('pipe')]);
    commands.splice(500, 0, ['INCR', key('text2')]);
    await client.set(key('text2'), 'nope');
    const replies = await client.pipeline(commands);
    expect(replies).toHaveLength(n + 1);
    expect(replies[0]).toBe(1);
    expect(replies[500]).toBeInstanceOf(RedisReplyError);
    expect(replies[n]).toBe(n);
  });

  it('concurrent commands get their own replies', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await client.set(key(`c${i}`), `v${i}`);
        return client.get(key(`c${i}`));
      }),
    );
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => `v${i}`));
  });

  it('arrays and nil arrays', async () => {
    await client.command(['RPUSH', key('l'), 'a', 'b', 'c']);
    expect(await client.command(['LRANGE', key('l'), 0, -1])).toEqual([
      Buffer.from('a'),
      Buffer.from('b'),
      Buffer.from('c'),
    ]);
    // BLPOP on an empty list times out server-side with a nil array.
    expect(await client.command(['BLPOP', key('empty'), '0.05'])).toBeNull();
  });

  it('a command past its deadline rejects with TimeoutError and closes the connection', async () => {
    const c = await RedisClient.connect(redis.url);
    extra.push(c);
    const started = Date.now();
    const error = await c
      .command(['BLPOP', key('never'), '5'], { timeout: 100 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(4_000);
    await expect(c.ping()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('an aborted command rejects with the reason', async () => {
    const c = await RedisClient.connect(redis.url);
    extra.push(c);
    const controller = new AbortController();
    const pending = c.command(['BLPOP', key('never2'), '5'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 20);
    await expect(pending).rejects.toThrow('user gave up');
  });

  it('selects the database from the URL', async () => {
    const url = new URL(redis.url);
    url.pathname = '/1';
    const c = await RedisClient.connect(url.href);
    extra.push(c);
    await c.set(key('db1'), 'in db 1');
    expect(await client.get(key('db1'))).toBeNull();
    expect(await c.get(key('db1'))).toBe('in db 1');
    await c.del([key('db1')]);
  });
});

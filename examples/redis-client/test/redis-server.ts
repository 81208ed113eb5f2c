// The Redis the integration tests talk to: REDIS_URL when set (CI starts one),
// otherwise a private redis-server child process on a free port, stopped
// afterwards. Where neither REDIS_URL nor redis-server is there and CI is
// unset, the tests are skipped with `redisSkipReason` as the visible reason;
// with CI or REDIS_URL set they are required, so a missing server fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { programSkipReason } from '@support-tools/test-utils';

/** Why the redis tests are skipped on this machine, or undefined when they must run. */
export const redisSkipReason: string | undefined = process.env.REDIS_URL
  ? undefined
  : programSkipReason('redis-server', 'apt-get install redis-server, or set REDIS_URL');

export interface RedisUnderTest {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisUnderTest> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const spawnError = once(child, 'error').then(([e]) => {
    throw new Error(`could not start redis-server (is it installed?): ${(e as Error).message}`);
  });
  await Promise.race([waitForPort(port, child, () => output), spawnError]);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not listen on ${port}: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

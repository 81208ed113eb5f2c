// Shared by run.mjs and soak.mjs: bench servers in their own processes, and
// prefork's raw-socket load generator in another.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const LOADGEN = fileURLToPath(new URL('../../prefork/bench/loadgen-cli.mjs', import.meta.url));

export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

export async function startServer(kind, extra = {}) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...process.execArgv, SERVER, JSON.stringify({ kind, port, workers: 2, ...extra })],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  const deadline = Date.now() + 60_000;
  while (!out.includes('READY')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${kind} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    kind,
    port,
    /** CPU µs the server process has used so far. */
    async cpu() {
      const before = out.length;
      child.stdin.write('cpu\n');
      for (;;) {
        const m = /CPU (\d+)\n/.exec(out.slice(before));
        if (m) return Number(m[1]);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

/** Runs prefork's load generator in its own process with `args` and returns its result. */
export async function load(args) {
  const child = spawn(process.execPath, [LOADGEN, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  await once(child, 'exit');
  return JSON.parse(out);
}

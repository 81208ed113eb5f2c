// Runs the basic example: `pnpm start` at the repository root, or
// `node --import tsx --conditions=@support/source src/main.ts` here.
// Environment: PORT (8888), META_PORT (8889), HOST (0.0.0.0), WORKERS (2).
// The same script runs in the arbiter and in each worker: the arbiter starts
// the backend and passes its port to the workers through the environment.
import { prefork } from '@support/core';
import { type Backend, createBasicGroup, startBackend } from './index.js';

const BACKEND_ENV = 'SUPPORT_BASIC_BACKEND_PORT';
const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
};

let backend: Backend | undefined;
if (!prefork.isWorker()) {
  backend = await startBackend();
  process.env[BACKEND_ENV] = String(backend.port);
}

const group = createBasicGroup({
  port: num('PORT', 8888),
  metaPort: num('META_PORT', 8889),
  host: process.env.HOST || '0.0.0.0',
  workers: num('WORKERS', 2),
  backendPort: num(BACKEND_ENV, 0),
});

await group.serveForever({
  onReady: (g) => {
    const a = g.addresses();
    const port = (name: string) => a[name]?.slice(a[name].lastIndexOf(':') + 1);
    process.stdout.write(
      [
        '',
        `SuPPort basic example: arbiter pid ${process.pid}, ${g.options.numWorkers} workers`,
        `  http://127.0.0.1:${port('http')}/          Welcome to SuPPort!`,
        `  http://127.0.0.1:${port('http')}/backend   a call to a backend through ConnectionManager`,
        `  http://127.0.0.1:${port('http')}/cpu       CPU work in the thread pool (cpuBound)`,
        `  http://127.0.0.1:${port('meta')}/          the meta app: stats, workers, event loop, profiles`,
        `  http://127.0.0.1:${port('meta')}/metrics   Prometheus metrics`,
        `Try: kill -9 a worker (pids on /workers), kill -HUP ${process.pid} for a rolling reload.`,
        'Ctrl-C stops it cleanly.',
        '',
      ].join('\n'),
    );
  },
});
await backend?.close();
if (!prefork.isWorker()) process.stdout.write('SuPPort basic example: stopped\n');

import { Worker } from 'node:worker_threads';

// A worker whose arbiter died normally sees 'disconnect' and drains. A worker
// whose main thread is stuck (an endless loop) never sees it and would live
// on as an orphan. This thread notices the parent pid change and, if the
// process is still alive `graceMs` later, kills it.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { parent, graceMs, intervalMs } = workerData;
let orphanedAt = 0;
setInterval(() => {
  if (process.ppid === parent) return;
  if (orphanedAt === 0) orphanedAt = Date.now();
  else if (Date.now() - orphanedAt >= graceMs) process.kill(process.pid, 'SIGKILL');
}, intervalMs);
`;

/** Starts the guard thread; it does not keep the process alive. */
export function startOrphanGuard(graceMs: number, intervalMs = 1000): Worker {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { parent: process.ppid, graceMs, intervalMs },
    stdout: false,
    stderr: false,
    resourceLimits: { maxOldGenerationSizeMb: 8 },
  });
  worker.unref();
  worker.on('error', () => {});
  return worker;
}

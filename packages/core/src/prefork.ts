import type { Server } from 'node:net';
import type { Context } from '@support/context';
import { arbiterSource } from '@support/meta';
import {
  Arbiter,
  type ArbiterOptions,
  isWorker,
  type ListenSpec,
  daemonize as preforkDaemonize,
  type WorkerApi,
} from '@support/prefork';
import type { ResolvedGroupOptions } from './options.js';

// Group under prefork: an Arbiter owns the listening sockets and hands
// connections to worker processes. The same script runs in every worker (the
// arbiter forks it), builds the same Group, and there start() builds the
// entries' servers and registers them with `w.serve(i, server)`.

/** What Group keeps of the arbiter. */
export interface ArbiterLike {
  readonly isPrimary: boolean;
  readonly arbiter: Arbiter;
  stop(timeoutMs?: number): Promise<void>;
}

/** What prefork.ts needs from Group (kept apart so Group's fields stay private). */
export interface PreforkHooks {
  options: ResolvedGroupOptions;
  context(): Context;
  setArbiter(arbiter: ArbiterLike): void;
  /** In the primary, once the arbiter runs: the meta app (from `source`) and the console. */
  startPrimary(arbiter: ArbiterLike, source: unknown): Promise<void>;
  /** In a worker: build the entries on the worker's Context and serve them. */
  startWorker(context: Context, serve: (index: number, server: Server) => void): Promise<void>;
  /** In a worker, when the runtime drains it (after its in-flight work). */
  drainWorker(): Promise<void>;
  /** In the primary under serveForever(), once every worker is ready. */
  ready(): void;
  /** In the primary, once the arbiter stopped. */
  stopPrimary(): Promise<void>;
}

function createArbiter(hooks: PreforkHooks, drained: () => void): ArbiterLike {
  const o = hooks.options;
  const listen: ListenSpec[] = o.entries.map((e) => ({
    ...(e.address.kind === 'unix'
      ? { path: e.address.path }
      : { host: e.address.host, port: e.address.port }),
    protocol: e.kind === 'http' ? 'http' : 'tcp',
  }));
  const options: ArbiterOptions = {
    ...(o.numWorkers === undefined ? {} : { workers: o.numWorkers }),
    ...(o.maxClients === undefined ? {} : { maxClients: o.maxClients }),
    ...(o.acceptQueueMaxlen === undefined ? {} : { acceptQueueMaxlen: o.acceptQueueMaxlen }),
    ...(o.postFork === undefined ? {} : { postFork: o.postFork }),
    gracefulTimeout: o.stopTimeout,
    listen,
    worker: async (w: WorkerApi) => {
      w.onDrain(async () => {
        await hooks.drainWorker();
        drained();
      });
      await hooks.startWorker(w.context, (i, server) => w.serve(i, server));
    },
    ...(isWorker() ? {} : { context: hooks.context() }),
    ...(o.arbiter as Partial<ArbiterOptions>),
  };
  const arbiter = new Arbiter(options);
  return {
    isPrimary: !isWorker(),
    arbiter,
    stop: (timeoutMs) => arbiter.stop(timeoutMs),
  };
}

/** Group.start() under prefork: primary → workers ready, meta and console up; worker → serving. */
export async function startPrefork(hooks: PreforkHooks): Promise<void> {
  const a = createArbiter(hooks, () => {});
  hooks.setArbiter(a);
  if (!a.isPrimary) {
    await a.arbiter.run();
    return;
  }
  await a.arbiter.start();
  await hooks.startPrimary(a, arbiterSource(a.arbiter));
}

/**
 * Group.serveForever() under prefork. Primary: supervises (signals included)
 * until stopped, then closes meta and the console. Worker: serves until the
 * arbiter drains it.
 */
export async function serveForeverPrefork(hooks: PreforkHooks): Promise<void> {
  let drained!: () => void;
  const done = new Promise<void>((resolve) => {
    drained = resolve;
  });
  const a = createArbiter(hooks, drained);
  hooks.setArbiter(a);
  if (!a.isPrimary) {
    await a.arbiter.run();
    await done;
    return;
  }
  const running = a.arbiter.run();
  try {
    await hooks.startPrimary(a, arbiterSource(a.arbiter));
    const settled = running.then(
      () => true,
      () => true,
    );
    while (a.arbiter.status().phase === 'starting' || a.arbiter.status().phase === 'idle') {
      if (await Promise.race([settled, sleep(50)])) break;
    }
    if (a.arbiter.status().phase === 'running') hooks.ready();
    await running;
  } finally {
    await hooks.stopPrimary();
  }
}

/** Detaches and writes the pidfile (prefork's daemonize); resolves in the daemon. */
export async function daemonize(options: { pidfile: string; logfile?: string }): Promise<void> {
  await preforkDaemonize(options);
}

function sleep(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms).unref());
}

#!/usr/bin/env node
import type { RequestListener } from 'node:http';
// The `support` command: serves a module's default-exported request listener
// under a Group (the way gunicorn serves an app), and sends signals to a
// daemonized one. Under prefork the workers run this same command line.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWorker, livePid } from '@support/prefork';
import { HELP, type Parsed, parseCommandLine, type ServeArgs } from './cli-args.js';
import { CoreError, codes } from './errors.js';
import { Group } from './group.js';
import type { GroupOptions, HttpEntry } from './options.js';

/** Loads the app: the module's default export, a listener or an object with a handler. */
async function loadApp(module: string): Promise<HttpEntry['app']> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(module)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CoreError(
      codes.APP_MODULE,
      `cannot load ${module}: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
  const app = mod.default;
  if (typeof app === 'function') return app as RequestListener;
  if (
    app !== null &&
    typeof app === 'object' &&
    typeof (app as { handler?: unknown }).handler === 'function'
  ) {
    return app as { handler: RequestListener };
  }
  throw new CoreError(
    codes.APP_MODULE,
    `${module} has no usable default export: export default a request listener (req, res) => …, an Express app or a @support/web Application`,
  );
}

function groupOptions(a: ServeArgs, app: HttpEntry['app']): GroupOptions {
  const prefork = a.workers !== 0;
  return {
    http: [
      {
        app,
        address: a.socket === undefined ? { host: a.host, port: a.port } : { path: a.socket },
        ...(a.tlsCert === undefined
          ? {}
          : {
              tls: {
                cert: resolve(a.tlsCert),
                key: resolve(a.tlsKey!),
                ...(a.tlsCa === undefined ? {} : { ca: resolve(a.tlsCa), requestCert: true }),
                mode: a.tlsBoth ? ('both' as const) : ('require' as const),
              },
            }),
      },
    ],
    prefork,
    ...(prefork && a.workers !== undefined ? { numWorkers: a.workers } : {}),
    ...(a.maxClients === undefined ? {} : { maxClients: a.maxClients }),
    ...(a.meta === undefined ? {} : { metaAddress: { host: a.metaHost, port: a.meta } }),
    ...(a.daemon
      ? { daemonize: { pidfile: a.pidfile!, ...(a.logfile ? { logfile: a.logfile } : {}) } }
      : {}),
    stopTimeout: a.stopTimeout,
  };
}

async function serve(a: ServeArgs): Promise<void> {
  const app = await loadApp(a.module);
  const group = new Group(groupOptions(a, app));
  await group.serveForever({
    onReady: (g) => {
      if (isWorker()) return;
      const where = Object.entries(g.addresses())
        .map(([name, address]) => `${name} ${address}`)
        .join(', ');
      const how =
        a.workers === 0
          ? 'in one process'
          : `with ${a.workers ?? g.context.config.numWorkers} workers`;
      console.log(
        `support: serving ${a.module} ${how} (pid ${process.pid}): ${where || `port ${a.port}`}`,
      );
    },
  });
}

const SIGNALS = { stop: 'SIGTERM', reload: 'SIGHUP', upgrade: 'SIGUSR2' } as const;

async function signal(p: Extract<Parsed, { pidfile: string }>): Promise<number> {
  const pid = livePid(p.pidfile);
  if (p.command === 'status') {
    console.log(pid === undefined ? `not running (${p.pidfile})` : `running, pid ${pid}`);
    return pid === undefined ? 1 : 0;
  }
  if (pid === undefined)
    throw new CoreError(codes.STATE, `not running: ${p.pidfile} names no live process`);
  process.kill(pid, SIGNALS[p.command]);
  if (p.command !== 'stop') {
    console.log(`sent ${SIGNALS[p.command]} to ${pid}`);
    return 0;
  }
  const deadline = Date.now() + p.timeout;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      console.log(`stopped ${pid}`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CoreError(codes.STATE, `${pid} still runs ${p.timeout} ms after SIGTERM`);
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (parsed.command === 'serve') {
    await serve(parsed.args);
    return 0;
  }
  return signal(parsed);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`support: ${message.split('\n')[0]}`);
    process.exitCode = error instanceof CoreError && error.code === codes.INVALID_OPTION ? 2 : 1;
  },
);

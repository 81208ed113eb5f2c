import { parseArgs } from 'node:util';
import { CoreError, codes } from './errors.js';

export const HELP = `support — serve a Node request listener under a SuPPort Group

Usage:
  support serve <module> [options]     serve the module's default export
  support status --pidfile <file>      is the daemon running? (exit 0 yes, 1 no)
  support stop   --pidfile <file>      graceful stop (SIGTERM), waits until it exits
  support reload --pidfile <file>      rolling reload of the workers (SIGHUP)
  support upgrade --pidfile <file>     hot upgrade to the code now on disk (SIGUSR2)
  support --help

The module's default export is a request listener (req, res) => …, an Express
app, or an object with a handler (a @support/web Application).

serve options:
  --port <n>          port to serve on                            (default 8888)
  --host <addr>       interface to bind                           (default 0.0.0.0)
  --socket <path>     serve on a Unix socket instead of a port
  --workers <n>       worker processes; 0 serves in this process  (default: cpus - 1, at least 2)
  --meta <port>       serve the meta app on this port             (default: off)
  --meta-host <addr>  interface of the meta app                   (default 127.0.0.1)
  --max-clients <n>   connections and requests at once per worker (default 1000)
  --tls-cert <file>   serve HTTPS with this certificate (PEM) …
  --tls-key <file>    … and this key (PEM)
  --tls-ca <file>     require client certificates signed by this CA (mutual TLS)
  --tls-both          serve HTTP and HTTPS on the one port
  --daemon            detach; needs --pidfile
  --pidfile <file>    where the daemon writes its pid
  --logfile <file>    where the daemon's output goes              (default: discarded)
  --stop-timeout <ms> how long a stop waits for in-flight work    (default 30000)

signal options:
  --timeout <ms>      how long stop waits for the process to exit (default 40000)
`;

export type Command = 'serve' | 'status' | 'stop' | 'reload' | 'upgrade' | 'help';

export interface ServeArgs {
  module: string;
  port: number;
  host: string;
  socket: string | undefined;
  workers: number | undefined;
  meta: number | undefined;
  metaHost: string;
  maxClients: number | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  tlsCa: string | undefined;
  tlsBoth: boolean;
  daemon: boolean;
  pidfile: string | undefined;
  logfile: string | undefined;
  stopTimeout: number;
}

export type Parsed =
  | { command: 'help' }
  | { command: 'serve'; args: ServeArgs }
  | { command: 'status' | 'stop' | 'reload' | 'upgrade'; pidfile: string; timeout: number };

function bad(message: string): CoreError {
  return new CoreError(codes.INVALID_OPTION, message);
}

function integer(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw bad(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** Parses the command line; throws a CoreError with a one-line message for anything wrong. */
export function parseCommandLine(argv: string[]): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        socket: { type: 'string' },
        workers: { type: 'string', short: 'w' },
        meta: { type: 'string' },
        'meta-host': { type: 'string' },
        'max-clients': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-ca': { type: 'string' },
        'tls-both': { type: 'boolean' },
        daemon: { type: 'boolean', short: 'd' },
        pidfile: { type: 'string' },
        logfile: { type: 'string' },
        'stop-timeout': { type: 'string' },
        timeout: { type: 'string' },
      },
    });
  } catch (error) {
    throw bad((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const str = (k: string) => v[k] as string | undefined;
  const [command, ...rest] = parsed.positionals;
  if (v.help || command === 'help' || command === undefined) return { command: 'help' };
  if (command === 'serve') {
    if (rest.length !== 1) throw bad('serve takes exactly one module: support serve ./app.mjs');
    if (v.timeout !== undefined) throw bad('--timeout is for stop; serve takes --stop-timeout');
    if (v.daemon && v.pidfile === undefined) throw bad('--daemon needs --pidfile');
    if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined))
      throw bad('--tls-cert and --tls-key go together');
    if ((v['tls-ca'] !== undefined || v['tls-both']) && v['tls-cert'] === undefined) {
      throw bad('--tls-ca and --tls-both need --tls-cert and --tls-key');
    }
    if (v.socket !== undefined && (v.port !== undefined || v.host !== undefined)) {
      throw bad('--socket replaces --port and --host');
    }
    return {
      command: 'serve',
      args: {
        module: rest[0]!,
        port: integer('port', str('port'), 0, 65535) ?? 8888,
        host: str('host') ?? '0.0.0.0',
        socket: str('socket'),
        workers: integer('workers', str('workers'), 0, 1024),
        meta: integer('meta', str('meta'), 0, 65535),
        metaHost: str('meta-host') ?? '127.0.0.1',
        maxClients: integer('max-clients', str('max-clients'), 1, 1_000_000),
        tlsCert: str('tls-cert'),
        tlsKey: str('tls-key'),
        tlsCa: str('tls-ca'),
        tlsBoth: v['tls-both'] === true,
        daemon: v.daemon === true,
        pidfile: str('pidfile'),
        logfile: str('logfile'),
        stopTimeout: integer('stop-timeout', str('stop-timeout'), 0, 2 ** 31 - 1) ?? 30_000,
      },
    };
  }
  if (command === 'status' || command === 'stop' || command === 'reload' || command === 'upgrade') {
    if (rest.length > 0) throw bad(`${command} takes no arguments besides --pidfile`);
    const pidfile = str('pidfile');
    if (pidfile === undefined) throw bad(`${command} needs --pidfile`);
    const others = Object.keys(v).filter((k) => k !== 'pidfile' && k !== 'timeout');
    if (others.length > 0) throw bad(`--${others[0]} is not an option of ${command}`);
    return {
      command,
      pidfile,
      timeout: integer('timeout', str('timeout'), 0, 2 ** 31 - 1) ?? 40_000,
    };
  }
  throw bad(`unknown command ${JSON.stringify(command)}; try support --help`);
}

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { QueueFullError } from '@support/threadpool';
import { hashPassword, parseSummary, query, slowCount } from './tasks.js';

/** Options of {@link createAppServer}. */
export interface AppOptions {
  /** The SQLite database file (see `seed`). */
  dbPath: string;
  /**
   * Largest request body accepted, in bytes.
   * @default 64 MiB
   */
  maxBody?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * An HTTP server whose slow parts run in the thread pools: `/users` and
 * `/slow` query SQLite through better-sqlite3 (synchronous) in `io_bound`,
 * `/parse` and `/hash` parse JSON and hash passwords in `cpu_bound`. `/ping`
 * answers at once, and keeps doing so while the others run.
 */
export function createAppServer(options: AppOptions): Server {
  const { dbPath } = options;
  const maxBody = options.maxBody ?? 64 * 1024 * 1024;
  const routes: Record<string, (req: IncomingMessage, url: URL) => Promise<unknown>> = {
    'GET /ping': async () => ({ pong: true }),
    'GET /users': async (_req, url) => {
      const id = Number(url.searchParams.get('id'));
      if (!Number.isInteger(id)) throw new HttpError(400, 'id must be an integer');
      const [user] = await query(dbPath, 'SELECT id, name, email FROM users WHERE id = ?', [id]);
      if (user === undefined) throw new HttpError(404, 'no such user');
      return user;
    },
    'GET /slow': async (_req, url) => {
      const n = Number(url.searchParams.get('n') ?? 3_000_000);
      if (!Number.isInteger(n) || n < 1 || n > 50_000_000) throw new HttpError(400, 'bad n');
      return { counted: await slowCount(dbPath, n) };
    },
    'POST /parse': async (req) => {
      const text = await readBody(req, maxBody);
      try {
        return await parseSummary(text);
      } catch (error) {
        if (error instanceof SyntaxError) throw new HttpError(400, error.message);
        throw error;
      }
    },
    'POST /hash': async (req) => {
      const { password } = JSON.parse(await readBody(req, 64 * 1024)) as { password?: unknown };
      if (typeof password !== 'string') throw new HttpError(400, 'password must be a string');
      const salt = randomBytes(16).toString('hex');
      return { salt, hash: await hashPassword(password, salt) };
    },
  };
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[`${req.method} ${url.pathname}`];
    if (route === undefined) {
      send(res, 404, { error: 'not found' });
      return;
    }
    route(req, url).then(
      (body) => send(res, 200, body),
      (error: unknown) => {
        if (error instanceof QueueFullError)
          send(res, 503, { error: 'busy, try again' }, { 'retry-after': '1' });
        else if (error instanceof HttpError) send(res, error.status, { error: error.message });
        else send(res, 500, { error: (error as Error).message });
      },
    );
  });
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Application,
  HTTPError,
  type Middleware,
  Response,
  renderBasic,
  renderJSON,
  route,
  staticFiles,
} from '../src/index.js';
import { rawConnect, rawRequest, sleep } from './raw.js';
import { type Served, serve } from './serve.js';

// Every run sends one generated request over a real socket to an app whose
// endpoints copy request input into statuses, headers and bodies. Properties:
// the process sees no uncaught error, every answer is HTTP, the server keeps
// answering, no connection outlives the lingering bounds, memory stays bounded.

let dir: string;
let served: Served;
const problems: unknown[] = [];
const onProblem = (error: unknown) => problems.push(error);
let unexpected = 0;

const stamp: Middleware = {
  name: 'stamp',
  async request(next, { query }) {
    const response = await next();
    response.headers['x-stamp'] = query.v as string;
    return response;
  },
};

function fuzzApp(): Application {
  const pick = (v: unknown) => (Array.isArray(v) ? v[0] : v) as string | undefined;
  return new Application(
    [
      route(
        '/go/:to',
        ({ params }) =>
          new Response(null, { status: 302, headers: { location: `/p/${params.to}` } }),
      ),
      route(
        '/h',
        ({ query }) =>
          new Response('h', { headers: { [pick(query.n) ?? 'x-n']: pick(query.v) ?? '' } }),
      ),
      route('/status', ({ query }) => new Response('s', { status: Number(pick(query.s)) })),
      route(
        '/cookie',
        ({ query }) =>
          new Response('c', { headers: { 'set-cookie': [String(query.a), String(query.b)] } }),
      ),
      route(
        '/err',
        ({ query }) => {
          throw new HTTPError(400, pick(query.m), { headers: { 'x-why': pick(query.v) ?? '' } });
        },
        renderBasic,
      ),
      route(
        '/iter',
        ({ query }) =>
          new Response(
            (async function* () {
              yield pick(query.a) ?? '';
              if (query.fail !== undefined) throw new Error('iterator failed');
              yield pick(query.b) ?? '';
            })(),
          ),
      ),
      route('/u', ({ url }) => url.href, renderBasic),
      route('/mw', ({ query }) => query, renderBasic, { middlewares: [stamp] }),
      route(['POST', 'PUT'], '/json', ({ body }) => ({ body: String(body) }), renderJSON, {
        bodyLimit: 256,
      }),
      route(
        'POST',
        '/raw',
        ({ response }) => {
          response.end('by hand');
        },
        undefined,
        { parseBody: false },
      ),
      route('/ok', () => 'ok', renderBasic),
      staticFiles('/static', join(dir, 'public')),
    ],
    {
      onError: () => {
        unexpected++;
      },
      drainLimit: 1024,
      lingeringTime: 300,
      lingeringTimeout: 100,
    },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'support-web-fuzz-'));
  mkdirSync(join(dir, 'public', 'd'), { recursive: true });
  writeFileSync(join(dir, 'public', 'a.txt'), 'a');
  writeFileSync(join(dir, 'public', '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  process.on('uncaughtException', onProblem);
  process.on('unhandledRejection', onProblem);
  served = await serve(fuzzApp().handler);
});
afterAll(async () => {
  process.off('uncaughtException', onProblem);
  process.off('unhandledRejection', onProblem);
  await served?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  expect(problems).toEqual([]);
});

const latin1 = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
// Mostly valid names and printable values, so most requests pass Node's parser.
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 30,
});
const anyText = fc.oneof(
  latin1,
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('\r\n', '%0d%0a', '€', '%E2%82%AC', '%', '..', '/', '\0'),
);
const pathPart = fc.oneof(
  anyText.map(encodeURIComponent),
  printable.map((s) => s.replace(/[\s?#%]/g, '')),
  fc.constantFrom('..', '.', '%2e%2e', '%2f', '.env', 'a.txt', 'a.txt/', 'd/', '%00', '%E0%A4%A'),
);
const paths = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('/go/', '/static/', '/u', '/ok', '/json', '/raw', '/nope/', '//'),
      pathPart,
    )
    .map(([a, b]) => a + b),
  fc
    .tuple(
      fc.constantFrom('/h', '/status', '/cookie', '/err', '/iter', '/mw', '/u'),
      fc.array(fc.tuple(fc.constantFrom('n', 'v', 's', 'a', 'b', 'm', 'fail', 'format'), anyText), {
        maxLength: 4,
      }),
    )
    .map(([p, q]) => `${p}?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
);
const headerName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'content-length',
      'transfer-encoding',
      'accept',
      'content-type',
      'connection',
      'expect',
      'if-none-match',
      'if-modified-since',
      'content-encoding',
      'host',
    ),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9a-z]{1,12}$/) },
  { weight: 1, arbitrary: latin1 },
);
const headerValue = fc.oneof(
  { weight: 2, arbitrary: printable },
  { weight: 1, arbitrary: latin1 },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '10',
      '-1',
      '999999999999',
      'chunked',
      'gzip',
      'close',
      'keep-alive',
      '100-continue',
      'application/json',
      'text/plain; charset=nope',
      '[::1',
      'a b',
      '*/*',
      'application/json;q=0.5, text/html',
    ),
  },
);
const hostileRequest = fc.record({
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,8}$/) },
  ),
  path: paths,
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0'),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
  body: fc.uint8Array({ maxLength: 3000 }),
  withLength: fc.boolean(),
});
// Requests Node's parser accepts, so the endpoints see them.
const parsableRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE'),
  path: paths,
  version: fc.constant('HTTP/1.1'),
  headers: fc.array(
    fc.tuple(
      fc.constantFrom('accept', 'content-type', 'if-none-match', 'x-any', 'expect', 'host'),
      fc.oneof(printable, headerValue),
    ),
    { maxLength: 3 },
  ),
  body: fc.uint8Array({ maxLength: 3000 }),
  withLength: fc.constant(true),
});
const request = fc.oneof(
  { weight: 3, arbitrary: parsableRequest },
  { weight: 1, arbitrary: hostileRequest },
);
const mutations = fc.array(
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom('flip', 'insert', 'delete', 'cut'),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { maxLength: 3 },
);
// Half the requests go out intact, so they reach the endpoints.
const mutation = fc.oneof(fc.constant([]), mutations);

interface Generated {
  method: string;
  path: string;
  version: string;
  headers: [string, string][];
  body: Uint8Array;
  withLength: boolean;
}

function assemble(req: Generated): Buffer {
  let head = `${req.method} ${req.path} ${req.version}\r\nHost: fuzz\r\n`;
  for (const [name, value] of req.headers) head += `${name}: ${value}\r\n`;
  if (req.withLength) head += `Content-Length: ${req.body.length}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), req.body]);
}

function mutate(bytes: Buffer, ops: readonly { at: number; op: string; byte: number }[]): Buffer {
  let out = bytes;
  for (const { at, op, byte } of ops) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 'flip') {
      out = Buffer.from(out);
      out[i] = byte;
    } else if (op === 'insert')
      out = Buffer.concat([out.subarray(0, i), Buffer.of(byte), out.subarray(i)]);
    else if (op === 'delete') out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
    else out = out.subarray(0, i);
  }
  return out;
}

/** Sends the bytes, half-closes, and returns what came back within a bound. */
async function exchange(bytes: Buffer): Promise<string> {
  const conn = await rawConnect(served.port);
  conn.socket.write(bytes);
  conn.socket.end();
  await Promise.race([conn.closed, sleep(1000)]);
  conn.socket.destroy();
  return conn.received();
}

async function openConnections(): Promise<number> {
  return new Promise((resolve, reject) =>
    served.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

describe('fuzzing @support/web over real sockets', () => {
  it('answers random and mutated raw requests with HTTP or a closed connection, never a crash', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const before = unexpected;
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(request, mutation, async (r, ops) => {
        const reply = await exchange(mutate(assemble(r), ops));
        if (reply !== '') expect(reply).toMatch(/^HTTP\/1\.[01] [1-5]\d\d /);
        const status = reply.slice(9, 12) || 'none';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(reply).not.toContain('outside');
        expect(reply).not.toContain('SECRET');
      }),
      { numRuns: 500, interruptAfterTimeLimit: 60_000 },
    );
    // The runs reached endpoints, and some of them failed (bad headers): the paths under test.
    expect(statuses.get('200')).toBeGreaterThan(0);
    expect(unexpected).toBeGreaterThan(before);
    expect((await rawRequest(served.port, '/ok')).body).toBe('ok');
    // Every connection is gone within the lingering bounds (300 ms), none leaks.
    const t0 = performance.now();
    while ((await openConnections()) > 0 && performance.now() - t0 < 5000) await sleep(50);
    expect(await openConnections()).toBe(0);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('keeps well-formed requests carrying hostile values answered, with 500 only for bad headers', async () => {
    const before = unexpected;
    await fc.assert(
      fc.asyncProperty(anyText, anyText, async (name, value) => {
        const reply = await rawRequest(
          served.port,
          `/h?n=${encodeURIComponent(name)}&v=${encodeURIComponent(value)}`,
        );
        expect([200, 500]).toContain(reply.status);
        if (reply.status === 200) expect(reply.body).toBe('h');
        else expect(reply.body).toBe('Internal Server Error\n');
      }),
      { numRuns: 200, interruptAfterTimeLimit: 30_000 },
    );
    expect(unexpected).toBeGreaterThan(before);
    expect((await rawRequest(served.port, '/ok')).body).toBe('ok');
  });
});

import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  Application,
  HTTPError,
  Response,
  renderBasic,
  renderJSON,
  renderText,
  route,
} from '../src/index.js';
import { serve, serveEach } from './serve.js';

const serveApp = serveEach();

async function start(app: Application): Promise<string> {
  return (await serveApp(app.handler)).base;
}

function raw(
  base: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Application routing', () => {
  it('serves the example from the README', async () => {
    const app = new Application([
      route('/', () => 'Welcome to SuPPort!', renderBasic),
      route('/users/:id', ({ params }) => ({ id: params.id }), renderBasic),
      route('POST', '/echo', async ({ body }) => body, renderJSON),
    ]);
    const base = await start(app);

    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await home.text()).toBe('Welcome to SuPPort!');

    const user = await fetch(`${base}/users/42`, { headers: { accept: 'application/json' } });
    expect(user.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await user.json()).toEqual({ id: '42' });

    const echo = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: [1, 2, { b: 'c' }] }),
    });
    expect(echo.status).toBe(200);
    expect(await echo.json()).toEqual({ a: [1, 2, { b: 'c' }] });
  });

  it('decodes params and parses the query string', async () => {
    const app = new Application([
      route('/files/*', ({ params, query }) => ({ path: params['*'], query }), renderJSON),
      route('/a/:x/b/:y', ({ params }) => `${params.x}+${params.y}`, renderText),
    ]);
    const base = await start(app);
    const files = await fetch(`${base}/files/a%20b/c.txt?x=1&x=2&y=%C3%A9`);
    expect(await files.json()).toEqual({ path: 'a b/c.txt', query: { x: ['1', '2'], y: 'é' } });
    expect(await (await fetch(`${base}/a/one/b/two`)).text()).toBe('one+two');
  });

  it('gives the url lazily as a URL object', async () => {
    const app = new Application([
      route('/u', ({ url }) => url.searchParams.get('q') ?? '', renderText),
    ]);
    const base = await start(app);
    expect(await (await fetch(`${base}/u?q=hi`)).text()).toBe('hi');
  });

  it('answers 404 for unknown paths and 405 with Allow for known paths with other methods', async () => {
    const app = new Application([
      route('/thing', () => 'got', renderText),
      route(['PUT', 'DELETE'], '/thing', () => 'changed', renderText),
      route('POST', '/only-post', () => 'posted', renderText),
    ]);
    const base = await start(app);
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();

    const wrong = await fetch(`${base}/thing`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
    await wrong.arrayBuffer();

    const getOnPost = await fetch(`${base}/only-post`);
    expect(getOnPost.status).toBe(405);
    expect(getOnPost.headers.get('allow')).toBe('OPTIONS, POST');
    await getOnPost.arrayBuffer();

    const options = await fetch(`${base}/thing`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
  });

  it('answers HEAD for GET routes with headers and no body', async () => {
    let calls = 0;
    const app = new Application([
      route(
        '/hello',
        () => {
          calls++;
          return 'hello world';
        },
        renderBasic,
      ),
      route('/stream', () => Readable.from(['a', 'b']), renderBasic),
    ]);
    const base = await start(app);
    const head = await raw(base, 'HEAD', '/hello');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('11');
    expect(head.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(head.body).toBe('');
    expect(calls).toBe(1);
    const streamHead = await raw(base, 'HEAD', '/stream');
    expect(streamHead.status).toBe(200);
    expect(streamHead.body).toBe('');
    const get = await raw(base, 'GET', '/stream');
    expect(get.body).toBe('ab');
  });

  it('lets an explicit HEAD route win over the implicit one', async () => {
    const app = new Application([
      route('/r', () => 'get', renderText),
      route('HEAD', '/r', () => new Response(null, { status: 299 })),
    ]);
    const base = await start(app);
    expect((await raw(base, 'HEAD', '/r')).status).toBe(299);
  });

  it('answers 400 for malformed URLs', async () => {
    const app = new Application([route('/x/:p', ({ params }) => params.p, renderText)]);
    const base = await start(app);
    const bad = await raw(base, 'GET', '/x/%E0%A4%A');
    expect(bad.status).toBe(400);
  });

  it('sends Responses with status, headers, Buffers and async iterables', async () => {
    async function* chunks() {
      yield 'one,';
      yield Buffer.from('two');
    }
    const app = new Application([
      route('/created', () => new Response('made', { status: 201, headers: { 'x-id': '7' } })),
      route('/bytes', () => Buffer.from([1, 2, 3]), renderBasic),
      route('/iter', () => new Response(chunks(), { headers: { 'content-type': 'text/plain' } })),
      route('/nothing', () => undefined, renderBasic),
    ]);
    const base = await start(app);
    const created = await fetch(`${base}/created`);
    expect(created.status).toBe(201);
    expect(created.headers.get('x-id')).toBe('7');
    expect(await created.text()).toBe('made');
    const bytes = await fetch(`${base}/bytes`);
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(await (await fetch(`${base}/iter`)).text()).toBe('one,two');
    expect((await fetch(`${base}/nothing`)).status).toBe(204);
  });

  it('skips the render step when the endpoint wrote the response itself', async () => {
    const app = new Application([
      route(
        '/manual',
        ({ response }) => {
          response.statusCode = 202;
          response.end('by hand');
          return 'ignored';
        },
        renderText,
      ),
    ]);
    const base = await start(app);
    const res = await fetch(`${base}/manual`);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('by hand');
  });
});

describe('Application errors', () => {
  it('turns HTTPError into its status and message', async () => {
    const app = new Application([
      route(
        '/teapot',
        () => {
          throw new HTTPError(418, 'short and stout', { headers: { 'x-kind': 'pot' } });
        },
        renderText,
      ),
      route(
        '/async',
        async () => {
          throw new HTTPError(409, 'busy');
        },
        renderText,
      ),
    ]);
    const base = await start(app);
    const teapot = await fetch(`${base}/teapot`, { headers: { accept: 'text/plain' } });
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('x-kind')).toBe('pot');
    expect(await teapot.text()).toBe('short and stout\n');
    const busy = await fetch(`${base}/async`, { headers: { accept: 'application/json' } });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ error: { status: 409, message: 'busy' } });
  });

  it('turns other errors into a short 500, logs them and keeps serving', async () => {
    const logged: unknown[] = [];
    const secret = new Error('database password is hunter2');
    const app = new Application(
      [
        route(
          '/boom',
          () => {
            throw secret;
          },
          renderText,
        ),
        route(
          '/async-boom',
          async () => {
            throw secret;
          },
          renderText,
        ),
        route(
          '/render-boom',
          () => 1n,
          () => {
            throw secret;
          },
        ),
        route('/ok', () => 'still here', renderText),
      ],
      { onError: (error) => logged.push(error) },
    );
    const base = await start(app);
    for (const path of ['/boom', '/async-boom', '/render-boom']) {
      const res = await fetch(`${base}${path}`, { headers: { accept: 'text/plain' } });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).toBe('Internal Server Error\n');
      expect(text).not.toContain('hunter2');
    }
    expect(logged).toEqual([secret, secret, secret]);
    expect(await (await fetch(`${base}/ok`)).text()).toBe('still here');
  });

  it('shows error details only with debug on', async () => {
    const app = new Application(
      [
        route(
          '/boom',
          () => {
            throw new Error('the detail');
          },
          renderText,
        ),
      ],
      { debug: true, onError: () => {} },
    );
    const base = await start(app);
    const res = await fetch(`${base}/boom`, { headers: { accept: 'text/plain' } });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('the detail');
  });

  it('answers 500 when a route without render returns a plain value', async () => {
    const logged: unknown[] = [];
    const app = new Application([route('/plain', () => 'not a Response')], {
      onError: (error) => logged.push(error),
    });
    const base = await start(app);
    expect((await fetch(`${base}/plain`)).status).toBe(500);
    expect(logged).toHaveLength(1);
    expect((logged[0] as { code: string }).code).toBe('SUP_ERR_WEB_NO_RENDER');
  });

  it('survives a failing stream body by cutting the connection', async () => {
    const logged: unknown[] = [];
    const failing = new Readable({
      read() {
        this.push('partial');
        this.destroy(new Error('disk gone'));
      },
    });
    const app = new Application(
      [route('/s', () => new Response(failing)), route('/ok', () => 'ok', renderText)],
      { onError: (error) => logged.push(error) },
    );
    const base = await start(app);
    await expect(fetch(`${base}/s`).then((r) => r.text())).rejects.toThrow();
    expect(await (await fetch(`${base}/ok`)).text()).toBe('ok');
  });
});

describe('Application construction', () => {
  it('keeps two applications fully separate', async () => {
    const a = new Application([route('/', () => 'a', renderText)], { resources: { who: 'a' } });
    const b = new Application([route('/', () => 'b', renderText)], { resources: { who: 'b' } });
    const servedA = await serve(a.handler);
    const servedB = await serve(b.handler);
    try {
      expect(await (await fetch(`${servedA.base}/`)).text()).toBe('a');
      expect(await (await fetch(`${servedB.base}/`)).text()).toBe('b');
      expect(a.routes).not.toBe(b.routes);
    } finally {
      await servedA.close();
      await servedB.close();
    }
  });

  it('passes resources to endpoints', async () => {
    const db = { get: (id: string) => ({ id, name: `user ${id}` }) };
    const app = new Application(
      [route('/u/:id', ({ params, db }) => db.get(params.id), renderJSON)],
      {
        resources: { db },
      },
    );
    const base = await start(app);
    expect(await (await fetch(`${base}/u/3`)).json()).toEqual({ id: '3', name: 'user 3' });
  });

  it('throws at construction when an endpoint needs something nothing provides', () => {
    expect(() => new Application([route('/', ({ db }) => db, renderJSON)])).toThrow(
      expect.objectContaining({
        code: 'SUP_ERR_WEB_UNRESOLVED',
        message: expect.stringContaining('"db"'),
      }),
    );
    expect(
      () =>
        new Application([route('/', (ctx) => ctx.anything, renderJSON, { needs: ['missing'] })]),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_WEB_UNRESOLVED' }));
  });

  it('rejects resources named like built-ins, duplicate routes and bad options', () => {
    expect(() => new Application([], { resources: { params: 1 } })).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_WEB_CONFLICT' }),
    );
    expect(
      () => new Application([route('/x', () => 1, renderJSON), route('/x', () => 2, renderJSON)]),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_ROUTE' }));
    expect(() => new Application([], { bodyLimit: -1 })).toThrow(/options\.bodyLimit/);
    expect(() => route('nope', () => 1)).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_ROUTE' }),
    );
    expect(() => route('nope', () => 1)).toThrow(/neither a pattern/);
    // The endpoint is what is wrong here, not the pattern.
    expect(() => route('/', 'hello' as never)).toThrow(
      'route /: endpoint must be a function, got the string "hello"',
    );
    expect(() => route('POST', '/', 42 as never)).toThrow(
      'route /: endpoint must be a function, got number',
    );
  });

  it('lists its routes for introspection', () => {
    const app = new Application([
      route(
        '/',
        function home() {
          return 'hi';
        },
        renderBasic,
      ),
      route('POST', '/items', ({ body }) => body, renderJSON, { name: 'createItem' }),
    ]);
    expect(app.routes).toEqual([
      {
        methods: ['GET', 'HEAD'],
        pattern: '/',
        name: 'home',
        render: 'renderBasic',
        middlewares: [],
        needs: [],
      },
      {
        methods: ['POST'],
        pattern: '/items',
        name: 'createItem',
        render: 'renderJSON',
        middlewares: [],
        needs: ['body'],
      },
    ]);
  });
});

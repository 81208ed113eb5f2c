import { describe, expect, it } from 'vitest';
import {
  Application,
  HTTPError,
  type Middleware,
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

function timing(log: string[]): Middleware {
  return {
    name: 'timing',
    provides: ['startedAt'],
    async request(next) {
      log.push('request:before');
      const response = await next({ startedAt: 123 });
      log.push('request:after');
      response.headers['x-timing'] = 'yes';
      return response;
    },
    async endpoint(next) {
      log.push('endpoint:before');
      const value = await next();
      log.push('endpoint:after');
      return value;
    },
    async render(next, _ctx, value) {
      log.push(`render:${JSON.stringify(value)}`);
      return next();
    },
  };
}

describe('middleware', () => {
  it('runs request, endpoint and render layers in clastic order and provides values', async () => {
    const log: string[] = [];
    const app = new Application(
      [
        route(
          '/t',
          ({ startedAt }) => {
            log.push('endpoint');
            return { startedAt };
          },
          renderJSON,
        ),
      ],
      { middlewares: [timing(log)] },
    );
    const base = await start(app);
    const res = await fetch(`${base}/t`);
    expect(res.headers.get('x-timing')).toBe('yes');
    expect(await res.json()).toEqual({ startedAt: 123 });
    expect(log).toEqual([
      'request:before',
      'endpoint:before',
      'endpoint',
      'endpoint:after',
      'render:{"startedAt":123}',
      'request:after',
    ]);
  });

  it('chains provides: a later middleware needs what an earlier one provides', async () => {
    const user: Middleware = {
      name: 'user',
      provides: ['user'],
      request: (next, ctx) => next({ user: { name: ctx.request.headers['x-user'] ?? 'anon' } }),
    };
    const greeting: Middleware = {
      name: 'greeting',
      needs: ['user'],
      provides: ['greeting'],
      endpoint: (next, ctx) => next({ greeting: `hello ${ctx.user.name}` }),
    };
    const app = new Application([route('/', ({ greeting }) => greeting, renderText)], {
      middlewares: [user, greeting],
    });
    const base = await start(app);
    expect(await (await fetch(`${base}/`, { headers: { 'x-user': 'ada' } })).text()).toBe(
      'hello ada',
    );
  });

  it('rejects at construction what nothing provides, in the order middleware run', () => {
    const greeting: Middleware = { name: 'greeting', needs: ['user'], provides: ['greeting'] };
    const user: Middleware = { name: 'user', provides: ['user'] };
    expect(
      () =>
        new Application([route('/', ({ greeting }) => greeting, renderText)], {
          middlewares: [greeting, user],
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'SUP_ERR_WEB_UNRESOLVED',
        message: expect.stringContaining('"greeting" needs "user"'),
      }),
    );
    expect(
      () =>
        new Application([route('/', ({ session }) => session, renderText)], {
          middlewares: [user],
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'SUP_ERR_WEB_UNRESOLVED',
        message: expect.stringContaining('"session"'),
      }),
    );
    expect(
      () =>
        new Application([route('/', () => 1, renderText)], {
          middlewares: [user, { name: 'again', provides: ['user'] }],
        }),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_WEB_CONFLICT' }));
    expect(
      () =>
        new Application([route('/', () => 1, renderText)], {
          resources: { user: 1 },
          middlewares: [user],
        }),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_WEB_CONFLICT' }));
    expect(() => new Application([], { middlewares: [{ name: '' } as Middleware] })).toThrow(
      /name/,
    );
  });

  it('fails the request clearly when a middleware does not keep its provides promise', async () => {
    const logged: unknown[] = [];
    const forgetful: Middleware = { name: 'forgetful', provides: ['x'], request: (next) => next() };
    const sneaky: Middleware = { name: 'sneaky', request: (next) => next({ y: 1 }) };
    const app = new Application(
      [
        route('/forgetful', () => 'no', renderText, { middlewares: [forgetful] }),
        route('/sneaky', () => 'no', renderText, { middlewares: [sneaky] }),
      ],
      { onError: (error) => logged.push(error) },
    );
    const base = await start(app);
    expect((await fetch(`${base}/forgetful`)).status).toBe(500);
    expect((await fetch(`${base}/sneaky`)).status).toBe(500);
    expect(logged.map((e) => (e as { code: string }).code)).toEqual([
      'SUP_ERR_WEB_PROVIDES_MISMATCH',
      'SUP_ERR_WEB_PROVIDES_MISMATCH',
    ]);
  });

  it('lets request middleware answer early and catch errors from inner layers', async () => {
    const auth: Middleware = {
      name: 'auth',
      request: (next, ctx) =>
        ctx.request.headers.authorization === 'yes'
          ? next()
          : new Response('go away', { status: 401 }),
    };
    const rescue: Middleware = {
      name: 'rescue',
      async request(next) {
        try {
          return await next();
        } catch (error) {
          if (error instanceof HTTPError && error.status === 404)
            return new Response('rescued', { status: 200 });
          throw error;
        }
      },
    };
    const app = new Application([
      route('/secret', () => 'the secret', renderText, { middlewares: [auth] }),
      route(
        '/missing',
        () => {
          throw new HTTPError(404);
        },
        renderText,
        { middlewares: [rescue] },
      ),
    ]);
    const base = await start(app);
    expect((await fetch(`${base}/secret`)).status).toBe(401);
    expect(
      await (await fetch(`${base}/secret`, { headers: { authorization: 'yes' } })).text(),
    ).toBe('the secret');
    expect(await (await fetch(`${base}/missing`)).text()).toBe('rescued');
  });

  it('lets render middleware replace the rendered value', async () => {
    const wrap: Middleware = { name: 'wrap', render: (next, _ctx, value) => next({ data: value }) };
    const app = new Application([route('/w', () => [1, 2], renderJSON)], { middlewares: [wrap] });
    const base = await start(app);
    expect(await (await fetch(`${base}/w`)).json()).toEqual({ data: [1, 2] });
  });

  it('parses bodies for routes with middleware too', async () => {
    const noop: Middleware = { name: 'noop', request: (next) => next() };
    const app = new Application([route('POST', '/b', ({ body }) => body, renderBasic)], {
      middlewares: [noop],
    });
    const base = await start(app);
    const res = await fetch(`${base}/b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    });
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('mounting', () => {
  it('mounts a sub-application under a prefix with its own resources and middleware', async () => {
    const seen: string[] = [];
    const outer: Middleware = {
      name: 'outer',
      request: (next, ctx) => {
        seen.push(`outer ${ctx.request.url}`);
        return next();
      },
    };
    const inner: Middleware = {
      name: 'inner',
      provides: ['who'],
      request: (next) => next({ who: 'meta' }),
    };
    const meta = new Application(
      [
        route('/', ({ who, version }) => `${who} ${version}`, renderText),
        route('/stats/:name', ({ params }) => ({ stat: params.name }), renderJSON),
      ],
      { resources: { version: '1.0' }, middlewares: [inner] },
    );
    const app = new Application([route('/', () => 'home', renderText), route('/meta', meta)], {
      middlewares: [outer],
    });
    const base = await start(app);
    expect(await (await fetch(`${base}/`)).text()).toBe('home');
    expect(await (await fetch(`${base}/meta`)).text()).toBe('meta 1.0');
    expect(await (await fetch(`${base}/meta/`)).text()).toBe('meta 1.0');
    expect(await (await fetch(`${base}/meta/stats/rps`)).json()).toEqual({ stat: 'rps' });
    expect(seen).toEqual(['outer /', 'outer /meta', 'outer /meta/', 'outer /meta/stats/rps']);
    expect(app.routes.map((r) => `${r.pattern} ${r.middlewares.join('>')}`)).toEqual([
      '/ outer',
      '/meta outer>inner',
      '/meta/ outer>inner',
      '/meta/stats/:name outer>inner',
    ]);
    // The sub-application still works alone.
    const alone = await serve(meta.handler);
    try {
      expect(await (await fetch(`${alone.base}/`)).text()).toBe('meta 1.0');
    } finally {
      await alone.close();
    }
  });

  it('rejects dynamic mount prefixes', () => {
    const child = new Application([]);
    expect(() => route('/:x', child)).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_ROUTE' }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  Application,
  HTTPError,
  type Middleware,
  Response,
  renderText,
  route,
} from '../src/index.js';
import { rawRequest } from './raw.js';
import { serveEach } from './serve.js';

const serveApp = serveEach();

const passThrough: Middleware = {
  name: 'pass',
  async request(next) {
    return next();
  },
};

/** An app whose endpoints put request input, or plain bad values, into response headers. */
function badHeaderApp(logged: unknown[]) {
  const redirect = ({ params }: { params: Record<string, string> }) =>
    new Response(null, { status: 302, headers: { location: `/p/${params.to}` } });
  const throwingIterator = {
    [Symbol.asyncIterator]() {
      throw new Error('iterator refused');
    },
  };
  const rejectingIterator = {
    [Symbol.asyncIterator]() {
      return {
        next() {
          throw new Error('next refused');
        },
      };
    },
  };
  return new Application(
    [
      route('/go/:to', redirect),
      route('/async/:to', async (ctx) => redirect(ctx), undefined, { needs: ['params'] }),
      route('/mw/:to', redirect, undefined, { middlewares: [passThrough] }),
      route(
        '/undefined',
        () => new Response('x', { headers: { 'x-a': undefined as unknown as string } }),
      ),
      route('/space', () => new Response('x', { headers: { 'bad name': 'v' } })),
      route('/cookie', () => new Response('x', { headers: { 'set-cookie': ['a=1', 'b=2\nc'] } })),
      route('/iter-throws', () => new Response(throwingIterator)),
      route('/next-throws', () => new Response(rejectingIterator)),
      route(
        '/http-error',
        () => {
          throw new HTTPError(401, 'who', { headers: { 'www-authenticate': 'a\r\nb' } });
        },
        renderText,
      ),
      route('/mw-header', () => 'ok', renderText, {
        middlewares: [
          {
            name: 'stamp',
            async request(next) {
              const response = await next();
              response.headers['x-stamp'] = 'é€';
              return response;
            },
          },
        ],
      }),
      route('/ok', () => 'still here', renderText),
    ],
    { onError: (error) => logged.push(error) },
  );
}

describe('responses whose headers cannot be set', () => {
  it('answer 500, report to onError and keep the process and server alive', async () => {
    const logged: unknown[] = [];
    const { port } = await serveApp(badHeaderApp(logged).handler);
    const paths = [
      '/go/%E2%82%AC',
      '/go/a%0d%0aX:y',
      '/async/%E2%82%AC',
      '/async/a%0d%0aX:y',
      '/mw/%E2%82%AC',
      '/mw/a%0d%0aX:y',
      '/undefined',
      '/space',
      '/cookie',
      '/iter-throws',
      '/next-throws',
      '/http-error',
      '/mw-header',
    ];
    for (const path of paths) {
      const reply = await rawRequest(port, path, { headers: { accept: 'text/plain' } });
      expect([path, reply.status, reply.body]).toEqual([path, 500, 'Internal Server Error\n']);
      expect(reply.headers['x-y']).toBeUndefined();
      expect(reply.headers.location).toBeUndefined();
    }
    expect(logged).toHaveLength(paths.length);
    for (const error of logged.slice(0, 10)) {
      expect(error).toMatchObject({ code: 'SUP_ERR_WEB_INVALID_RESPONSE' });
    }
    expect((await rawRequest(port, '/ok')).body).toBe('still here');
  });

  it('still redirects when the header value is valid', async () => {
    const { port } = await serveApp(badHeaderApp([]).handler);
    const reply = await rawRequest(port, '/go/plain');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/p/plain');
  });

  it('cuts the connection when a stream fails after the headers went out, and reports it', async () => {
    const logged: unknown[] = [];
    const app = new Application(
      [
        route(
          '/late',
          () =>
            new Response(
              (async function* () {
                yield 'first chunk';
                await new Promise((r) => setTimeout(r, 20));
                throw new Error('disk gone');
              })(),
            ),
        ),
      ],
      { onError: (error) => logged.push(error) },
    );
    const { port } = await serveApp(app.handler);
    await expect(rawRequest(port, '/late')).rejects.toThrow();
    expect(logged).toEqual([expect.objectContaining({ message: 'disk gone' })]);
  });
});

describe('Response', () => {
  it('refuses 1xx statuses', () => {
    for (const status of [100, 101, 103, 199]) {
      expect(() => new Response('body', { status })).toThrow(
        expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_RESPONSE' }),
      );
      expect(() => new Response(null, { status })).toThrow(/1xx|from 200 to 599/);
    }
    expect(new Response(null, { status: 200 }).status).toBe(200);
  });

  it('refuses headers that are not an object', () => {
    expect(
      () => new Response('x', { headers: 'x-a: 1' as unknown as Record<string, string> }),
    ).toThrow(expect.objectContaining({ code: 'SUP_ERR_WEB_INVALID_RESPONSE' }));
  });
});

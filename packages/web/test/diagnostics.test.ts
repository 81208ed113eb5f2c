import diagnostics from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Application, renderText, route } from '../src/index.js';
import { type Served, serve } from './serve.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('diagnostics and cancellation', () => {
  it('publishes support:web:response and support:web:error', async () => {
    const responses: unknown[] = [];
    const errors: unknown[] = [];
    const onResponse = (message: unknown) => responses.push(message);
    const onError = (message: unknown) => errors.push(message);
    diagnostics.subscribe('support:web:response', onResponse);
    diagnostics.subscribe('support:web:error', onError);
    try {
      const boom = new Error('boom');
      const app = new Application(
        [
          route('/ok', () => 'ok', renderText),
          route(
            '/boom',
            () => {
              throw boom;
            },
            renderText,
          ),
        ],
        {
          onError: () => {
            throw new Error('a broken logger must not matter');
          },
        },
      );
      served = await serve(app.handler);
      await (await fetch(`${served.base}/ok`)).text();
      await (await fetch(`${served.base}/boom`)).text();
      await (await fetch(`${served.base}/none`)).text();
      expect(responses).toEqual([
        { method: 'GET', url: '/ok', route: 'GET /ok', status: 200 },
        { method: 'GET', url: '/boom', route: 'GET /boom', status: 500 },
        { method: 'GET', url: '/none', route: undefined, status: 404 },
      ]);
      expect(errors).toEqual([{ error: boom, method: 'GET', url: '/boom', route: 'GET /boom' }]);
    } finally {
      diagnostics.unsubscribe('support:web:response', onResponse);
      diagnostics.unsubscribe('support:web:error', onError);
    }
  });

  it('aborts ctx.signal when the client goes away', async () => {
    let resolveAborted: (reason: unknown) => void = () => {};
    const aborted = new Promise((resolve) => (resolveAborted = resolve));
    const app = new Application([
      route(
        '/slow',
        ({ signal }) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => {
              resolveAborted(signal.reason);
              resolve('too late');
            });
          }),
        renderText,
      ),
    ]);
    served = await serve(app.handler);
    const req = httpRequest(`${served.base}/slow`);
    req.on('error', () => {
      // Expected: we hang up first.
    });
    req.end();
    // Give the server time to dispatch, then hang up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.destroy();
    expect(String(await aborted)).toContain('client disconnected');
  });
});

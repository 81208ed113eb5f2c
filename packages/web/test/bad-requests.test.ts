import { describe, expect, it } from 'vitest';
import { Application, renderText, route } from '../src/index.js';
import { rawRequest } from './raw.js';
import { serveEach } from './serve.js';

const serveApp = serveEach();

describe('the url of a request', () => {
  it('answers 400, not 500, for a Host header no URL can be built from', async () => {
    const logged: unknown[] = [];
    const app = new Application([route('/u', ({ url }) => url.href, renderText)], {
      onError: (error) => logged.push(error),
    });
    const { port } = await serveApp(app.handler);
    for (const host of ['[::1', 'a b', 'a/b', 'a@b', 'x:99999999', 'a?b', 'a#b', 'a\\b']) {
      const reply = await rawRequest(port, '/u', { headers: { host } });
      expect([host, reply.status]).toEqual([host, 400]);
    }
    expect(logged).toEqual([]);
    const good = await rawRequest(port, '/u?q=1', { headers: { host: 'example.com:8080' } });
    expect(good.body).toBe('http://example.com:8080/u?q=1');
    const v6 = await rawRequest(port, '/u', { headers: { host: '[::1]:80' } });
    expect(v6.body).toBe('http://[::1]/u');
  });

  it('keeps the path of a request that starts with two slashes', async () => {
    const app = new Application([
      route('/*', ({ url }) => `${url.host} ${url.pathname}`, renderText),
    ]);
    const { port } = await serveApp(app.handler);
    const reply = await rawRequest(port, '//evil.example/x', { headers: { host: 'good.example' } });
    expect(reply.body).toBe('good.example //evil.example/x');
  });
});

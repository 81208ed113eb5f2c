import type { IncomingMessage } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { Application, renderJSON, renderText, route } from '../src/index.js';
import { createErrorLog } from '../src/log.js';
import { serveEach } from './serve.js';

const serve = serveEach();

class Overload extends Error {
  readonly overloaded = true;
  readonly retryAfter = 2.5;
  readonly code = 'TEST_OVERLOADED';
}

describe('inside Express 5', () => {
  it('a POST route reads the body express.json() already parsed', async () => {
    const web = new Application([
      route('POST', '/echo', ({ body }) => ({ got: body }), renderJSON),
    ]);
    const app = express();
    app.use(express.json());
    app.use('/api', web.handler);
    const { base } = await serve(app);
    const res = await fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"got":{"a":1}}');
  });

  it('a body consumed upstream without req.body gets a 500 naming the cause', async () => {
    const web = new Application([
      route('POST', '/echo', ({ body }) => ({ got: body }), renderJSON),
    ]);
    const app = express();
    app.use((req: IncomingMessage, _res: unknown, next: () => void) => {
      req.resume();
      req.on('end', () => next());
    });
    app.use('/api', web.handler);
    const { base } = await serve(app);
    const res = await fetch(`${base}/api/echo`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/already read by an earlier handler/);
  });

  it("notFound: 'next' passes unmatched requests on; the default answers 404", async () => {
    const passing = new Application([route('/here', () => 'web', renderText)], {
      notFound: 'next',
    });
    const keeping = new Application([route('/here', () => 'web', renderText)]);
    const app = express();
    app.use('/a', passing.handler);
    app.use('/b', keeping.handler);
    app.get('/a/later', (_req, res) => res.send('express'));
    app.get('/b/later', (_req, res) => res.send('express'));
    const { base } = await serve(app);
    expect(await (await fetch(`${base}/a/here`)).text()).toBe('web');
    expect(await (await fetch(`${base}/a/later`)).text()).toBe('express');
    const hidden = await fetch(`${base}/b/later`);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).toBe('Not Found\n');
  });

  it('an overload error is a 503 with Retry-After; the log names the mounted URL once, then counts', async () => {
    const lines: string[] = [];
    const log = createErrorLog((line) => lines.push(line));
    const web = new Application(
      [
        route('/busy', () => {
          throw new Overload('pool full');
        }),
        route('/boom', () => {
          throw new Error('broken');
        }),
      ],
      { onError: log },
    );
    const app = express();
    app.use('/api', web.handler);
    const { base } = await serve(app);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/api/busy`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      await res.text();
    }
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/api/boom`);
      expect(res.status).toBe(500);
      await res.text();
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      '@support/web: GET /api/busy answered 503 (overloaded): Error TEST_OVERLOADED: pool full',
    );
    expect(lines[1]).toMatch(/^@support\/web: GET \/api\/boom failed: Error: broken\n\s+at /);
  });
});

describe('the default error log', () => {
  it('reports the count of repeats left out with the next failure after 10 s', () => {
    const lines: string[] = [];
    let t = 0;
    const log = createErrorLog(
      (line) => lines.push(line),
      () => t,
    );
    const error = Object.assign(new Error('queue full'), { overloaded: true, code: 'X' });
    for (let i = 0; i < 100; i++) {
      t += 50;
      log(error, undefined);
    }
    expect(lines).toHaveLength(1);
    t += 10_000;
    log(error, undefined);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      '@support/web: request answered 503 (overloaded): Error X: queue full (99 more like it in the 15 s before)',
    );
  });
});

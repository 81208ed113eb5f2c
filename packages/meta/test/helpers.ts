import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

type Closer = () => Promise<void> | void;
const closers: Closer[] = [];

/** Runs after the current test, newest first. */
export function cleanup(fn: Closer): void {
  closers.push(fn);
}

afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/** Serves a request listener on 127.0.0.1:0 until the test ends; returns the base URL. */
export async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Every GET view of the meta app, with a path that exists in a fresh context with a few stats. */
export const VIEW_PATHS = [
  '/',
  '/stats',
  '/stats/req.latency',
  '/statgraphs',
  '/markov',
  '/sketches',
  '/workers',
  '/eventloop',
  '/long-blocks',
  '/process',
  '/environment',
  '/config',
  '/fds',
  '/components',
  '/routes',
  '/recent',
  '/recent/conn',
  '/logs',
  '/profile',
] as const;

export async function getJSON(
  url: string,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(url, { headers: { accept: 'application/json', ...headers } });
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, body, headers: r.headers };
}

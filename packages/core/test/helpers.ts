import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Context } from '@support/context';
import { afterEach } from 'vitest';
import { Group, type GroupOptions } from '../src/index.js';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A Context without the monitor and watchdog, so tests start no threads. */
export function quietContext(): Context {
  return new Context({ monitoring: false, watchdog: false });
}

/** Groups (and contexts) made through it are stopped after each test. */
export function groups() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    /** A started Group on a quiet context unless options.context is given. */
    async start(options: GroupOptions): Promise<Group> {
      const context = options.context ?? quietContext();
      if (options.context === undefined) cleanups.push(() => context.close());
      const group = new Group({ ...options, context });
      cleanups.push(() => group.stop(1000));
      await group.start();
      return group;
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface GetOptions {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  socketPath?: string;
  https?: boolean;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
}

/** One request on a fresh connection (no agent): status, headers, body. */
export function get(port: number, options: GetOptions = {}): Promise<Reply> {
  const request = options.https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        socketPath: options.socketPath,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        servername: options.servername,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

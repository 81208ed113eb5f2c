// Type-checked (not run) with the oldest and the newest supported
// TypeScript, strict and without skipLibCheck: the installed declarations
// must be accepted as they are.
import { createServer } from 'node:http';
import { BufferedSocket } from '@support/bufsock';
import { ConnectionManager, type MarkedDownError } from '@support/connmgr';
import { Context } from '@support/context';
import { Group } from '@support/core';
import { Stats } from '@support/faststat';
import { createMetaApp } from '@support/meta';
import { Arbiter, HttpAdmission } from '@support/prefork';
import { cpuBound } from '@support/threadpool';
import { Application, html, renderHTML, route } from '@support/web';

export const digest = cpuBound(import.meta.url, 'digest', (s: string) => Buffer.from(s));

export async function check(): Promise<string> {
  const bytes = await digest('x');
  const view: Uint8Array = bytes;
  const stats = new Stats();
  stats.add(view.length);
  const q: number = stats.quantile(0.99);
  const app = new Application([
    route(
      '/',
      () => ({ name: 'Ann' }),
      renderHTML((user) => html`<p>${user.name}</p>`),
    ),
  ]);
  const mgr = new ConnectionManager({ aliases: { a: '127.0.0.1:1' } });
  const down: MarkedDownError['retryAfter'] = 1;
  const ctx = new Context({ watchdog: false });
  const sock = await mgr.getConnection('a');
  const bs = new BufferedSocket(sock.socket);
  await ctx.close();
  return `${q} ${app.routes.length} ${down} ${typeof bs.recvUntil}`;
}

// The packages a service adds on top: the Group, the arbiter and its
// admission control, the meta app.
export function service(): Group {
  const meta = createMetaApp({ title: 'types' });
  const admission = new HttpAdmission();
  return new Group({
    http: [{ app: admission.wrap(meta.handler), address: { host: '127.0.0.1', port: 0 } }],
    prefork: true,
    numWorkers: 2,
  });
}

export function arbiter(): Arbiter {
  return new Arbiter({
    listen: [{ port: 0, host: '127.0.0.1', protocol: 'http' }],
    worker: (w) => {
      w.serve(
        0,
        createServer((_req, res) => res.end(String(w.id))),
      );
    },
  });
}

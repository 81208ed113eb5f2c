// Type-checked (not run) with the oldest and the newest supported
// TypeScript, strict and without skipLibCheck: the installed declarations
// must be accepted as they are.
import { BufferedSocket } from '@support/bufsock';
import { ConnectionManager, type MarkedDownError } from '@support/connmgr';
import { Context } from '@support/context';
import { Stats } from '@support/faststat';
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

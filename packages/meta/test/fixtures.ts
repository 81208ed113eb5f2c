import { Context } from '@support/context';
import { cleanup } from './helpers.js';

/** A Context holding a little of everything the views show; closed after the test. */
export function richContext(): Context {
  const ctx = new Context();
  cleanup(() => ctx.close());
  for (let i = 1; i <= 400; i++) ctx.durations.get('req.latency').add((i % 50) + 0.5);
  for (let i = 0; i < 50; i++) ctx.stats.get('resp.bytes').add(100 * i);
  ctx.stats.get('loop.delay.mean').add(1.5);
  const t = ctx.markov.get('sockets').makeTransitor('connecting');
  t.transition('open');
  t.transition('closed');
  t.close();
  const sketch = ctx.sketches.get('clients');
  for (let i = 0; i < 30; i++) sketch.add(`10.0.0.${i % 7}`);
  ctx.recent.addTraffic('conn', 'in', 'GET / HTTP/1.1\r\n');
  ctx.recent.addTraffic('conn', 'out', 'HTTP/1.1 200 OK\r\n');
  ctx.log.get('app').warn('START', 'service').success('started <b>ok</b>');
  ctx.log.get('db').info('QUERY').failure('slow query');
  const component = { kind: 'pool', status: () => ({ size: 3, idle: 1 }) };
  ctx.components.register('db-pool', component);
  // The registry holds components weakly: keep this one alive with the context.
  (ctx as unknown as { keep: unknown }).keep = component;
  return ctx;
}

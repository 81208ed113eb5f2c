// Child process of bench/run.mjs: a hello-world service that records one
// duration per request into its Context (monitor on, like a real service),
// with 200 more statistics, and its meta app on a second port. Sends both
// ports to the parent; exits when the parent disconnects.
import http from 'node:http';
import { Context } from '@support/context';
import { createMetaApp } from '@support/meta';

const ctx = new Context({ monitoring: true, watchdog: false });
for (let k = 0; k < 200; k++) {
  const s = ctx.durations.get(`backend.call.${k}`);
  for (let i = 0; i < 100; i++) s.add(((i * 37 + k) % 200) / 10);
}
const latency = ctx.durations.get('http.hello');
const hello = http.createServer((req, res) => {
  const t0 = performance.now();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 12 });
  res.end('Hello world!');
  latency.add(performance.now() - t0);
});
const meta = createMetaApp({ context: ctx });
const metaServer = http.createServer(meta.handler);
await Promise.all([
  new Promise((r) => hello.listen(0, '127.0.0.1', r)),
  new Promise((r) => metaServer.listen(0, '127.0.0.1', r)),
]);
process.send({ hello: hello.address().port, meta: metaServer.address().port });
process.on('message', (m) => {
  if (m === 'cpu') process.send(process.cpuUsage());
});
process.on('disconnect', async () => {
  hello.closeAllConnections();
  metaServer.closeAllConnections();
  hello.close();
  metaServer.close();
  await meta.close();
  await ctx.close();
});

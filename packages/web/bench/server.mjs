// One server for the benchmark, in its own process so that the load
// generator and the server each get a core. argv[2] picks the variant:
//   bare  a plain http.createServer handler matching URLs by hand
//   fmw   find-my-way alone (compiled), handlers writing the response
//   web   @support/web's app.handler with renderText routes
//   fastify  Fastify 5 with the same two routes (its request handler, from serverFactory)
// It listens on 127.0.0.1, port 0, and reports the port over IPC.
import { createServer } from 'node:http';
import { Application, renderText, route } from '@support/web';
import Fastify from 'fastify';
import FindMyWay from 'find-my-way';

const TEXT = 'text/plain; charset=utf-8';
const variant = process.argv[2];

function bare() {
  return (req, res) => {
    const url = req.url;
    if (url === '/') {
      res.setHeader('content-type', TEXT);
      res.end('hello world');
      return;
    }
    // /users/:id/posts/:post, matched by hand.
    const parts = url.split('/');
    if (parts.length === 5 && parts[1] === 'users' && parts[3] === 'posts') {
      res.setHeader('content-type', TEXT);
      res.end(`${decodeURIComponent(parts[2])}/${decodeURIComponent(parts[4])}`);
      return;
    }
    res.statusCode = 404;
    res.end();
  };
}

function fmw() {
  const router = FindMyWay();
  router.on('GET', '/', (_req, res) => {
    res.setHeader('content-type', TEXT);
    res.end('hello world');
  });
  router.on('GET', '/users/:id/posts/:post', (_req, res, params) => {
    res.setHeader('content-type', TEXT);
    res.end(`${params.id}/${params.post}`);
  });
  router.compile();
  return (req, res) => router.lookup(req, res);
}

function web() {
  const app = new Application([
    route('/', () => 'hello world', renderText),
    route('/users/:id/posts/:post', ({ params }) => `${params.id}/${params.post}`, renderText),
  ]);
  return app.handler;
}

async function fastify() {
  // Fastify's own request handler, served by the same kind of http.Server as the others.
  let handler;
  const app = Fastify({
    serverFactory: (h) => {
      handler = h;
      return createServer();
    },
  });
  app.get('/', (_req, reply) => {
    reply.type(TEXT).send('hello world');
  });
  app.get('/users/:id/posts/:post', (req, reply) => {
    reply.type(TEXT).send(`${req.params.id}/${req.params.post}`);
  });
  await app.ready();
  return handler;
}

const handlers = { bare, fmw, web, fastify };
if (!(variant in handlers)) {
  process.stderr.write(`unknown variant ${variant}\n`);
  process.exit(2);
}
const server = createServer(await handlers[variant]());
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
// The parent asks for CPU time around each run: CPU per request is much
// less disturbed by other work on the machine than requests per second.
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
});

// Child process of bench/run.mjs: `node load.mjs PORT SECONDS CONNECTIONS`
// keeps CONNECTIONS keep-alive requests in flight to 127.0.0.1:PORT for
// SECONDS and prints {"requests": n, "seconds": s}. A client of its own
// (no autocannon in this package), the same for every variant measured.
import http from 'node:http';

const [port, seconds, connections] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
let requests = 0;
let errors = 0;
const t0 = performance.now();
const end = t0 + seconds * 1000;

function one() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        requests++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

async function loop() {
  while (performance.now() < end) await one();
}

await Promise.all(Array.from({ length: connections }, loop));
agent.destroy();
process.stdout.write(
  `${JSON.stringify({ requests, errors, seconds: (performance.now() - t0) / 1000 })}\n`,
);

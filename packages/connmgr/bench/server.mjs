// Loopback servers for the connmgr benchmark, in their own process so the
// client's figures are not mixed with server work. Prints its ports as JSON.
//   echo:  echoes every chunk back
//   tail:  answers each "\n"-terminated line with "ok\n"; 1% of the lines
//          (a seeded random choice) wait 500 ms first — a heavy-tail latency
import net from 'node:net';
import { rng } from '@support-tools/test-utils';

const SLOW_FRACTION = 0.01;
const SLOW_MS = 500;

// Seeded, so every run has the same sequence of slow requests.
const random = rng(0x5eed);

const echo = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  socket.pipe(socket);
});

const tail = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk;
    let at = pending.indexOf('\n');
    while (at !== -1) {
      pending = pending.slice(at + 1);
      if (random() < SLOW_FRACTION) {
        setTimeout(() => socket.writable && socket.write('ok\n'), SLOW_MS);
      } else {
        socket.write('ok\n');
      }
      at = pending.indexOf('\n');
    }
  });
});

await Promise.all(
  [echo, tail].map((s) => new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))),
);
process.stdout.write(
  `${JSON.stringify({ echo: echo.address().port, tail: tail.address().port })}\n`,
);
// The parent ends us by closing stdin (or by exiting).
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

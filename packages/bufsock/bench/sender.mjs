// Child process for the framing benchmark: connects to the port in argv[2]
// and sends argv[3] length-prefixed messages (4-byte big-endian length +
// 100-byte payload) as fast as the socket drains, then closes.
import { once } from 'node:events';
import net from 'node:net';

const port = Number(process.argv[2]);
const messages = Number(process.argv[3]);
const PER_BLOCK = 10_000;
const block = Buffer.alloc(PER_BLOCK * 104);
for (let i = 0; i < PER_BLOCK; i++) {
  block.writeUInt32BE(100, i * 104);
  block.fill(i & 0xff, i * 104 + 4, i * 104 + 104);
}
const socket = net.connect({ port, host: '127.0.0.1' });
await once(socket, 'connect');
for (let sent = 0; sent < messages; sent += PER_BLOCK) {
  if (!socket.write(block)) await once(socket, 'drain');
}
socket.end();
await once(socket, 'close');

// Runs the example: `node --conditions=@support/source --import tsx src/main.ts [db] [port]`
// from examples/threadpool-sqlite (the README shows the full command).
import { closePools, configurePools } from '@support/threadpool';
import { createAppServer, fromSource, seed } from './index.js';

const dbPath = process.argv[2] ?? 'example.sqlite';
const port = Number(process.argv[3] ?? 8080);
configurePools({ io: fromSource, cpu: fromSource });
await seed(dbPath);
const server = createAppServer({ dbPath });
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${port} (db ${dbPath})\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void closePools({ timeout: 5_000 });
  });

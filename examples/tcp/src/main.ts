// `node --import tsx --conditions=@support/source src/main.ts` (PORT, default 9000); try `nc 127.0.0.1 9000`.
import { createLineGroup } from './index.js';

const group = createLineGroup(Number(process.env.PORT ?? 9000));
await group.serveForever({
  onReady: (g) =>
    process.stdout.write(
      `line protocol on ${g.addresses().line} (nc 127.0.0.1 ${g.port('line')})\n`,
    ),
});

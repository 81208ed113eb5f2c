// `node --import tsx --conditions=@support/source src/main.ts` (PORT, default 8080).
import { createExpressGroup } from './index.js';

const group = createExpressGroup(Number(process.env.PORT ?? 8080));
await group.serveForever({
  onReady: (g) =>
    process.stdout.write(`Express app under SuPPort on http://${g.addresses().http}/\n`),
});

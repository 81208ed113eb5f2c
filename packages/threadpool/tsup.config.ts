import { copyFile } from 'node:fs/promises';
import { supportTsupConfig } from '@support-tools/build/tsup';

// The pool-thread entry is plain JavaScript loaded by piscina, not imported:
// copy it next to the bundles. `shims` gives the CJS build import.meta.url.
export default supportTsupConfig({
  shims: true,
  onSuccess: async () => {
    await copyFile('src/worker.mjs', 'dist/worker.mjs');
  },
});

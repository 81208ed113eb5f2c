import { cp } from 'node:fs/promises';
import { supportTsupConfig } from '@support-tools/build/tsup';

// The page assets (CSS, scripts) are files read at run time from beside the
// bundle: copy them to dist/assets. `shims` gives the CJS build import.meta.url.
export default supportTsupConfig({
  shims: true,
  onSuccess: async () => {
    await cp('src/assets', 'dist/assets', { recursive: true });
  },
});

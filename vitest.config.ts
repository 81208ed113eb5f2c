import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Every package and example with a test/ folder is a vitest project. The
// `@support/source` export condition makes workspace imports resolve to src/,
// so the tests need no build. It has our own name so that an app run with the
// common `--conditions=source` never loads our .ts files from node_modules.
const projectDirs = ['packages', 'examples', 'tools'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .map((name) => `${group}/${name}`)
        .filter((dir) => existsSync(join(root, dir, 'test')))
    : [],
);

export default defineConfig({
  resolve: { conditions: ['@support/source'] },
  ssr: { resolve: { conditions: ['@support/source'], externalConditions: ['@support/source'] } },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.slice(dir.indexOf('/') + 1),
        root: join(root, dir),
        include: ['test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
});

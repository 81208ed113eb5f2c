import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Every package and example with a test/ folder is a vitest project. The
// `source` export condition makes workspace imports resolve to src/, so the
// tests need no build.
const projectDirs = ['packages', 'examples', 'tools'].flatMap((group) =>
  existsSync(group)
    ? readdirSync(group)
        .map((name) => `${group}/${name}`)
        .filter((dir) => existsSync(`${dir}/test`))
    : [],
);

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: dir.slice(dir.indexOf('/') + 1),
        root: dir,
        include: ['test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    })),
  },
});

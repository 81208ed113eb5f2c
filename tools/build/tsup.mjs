// The one tsup configuration every package builds with: dual ESM + CJS with
// .d.ts/.d.cts, Node 20 target, no bundled dependencies. A package's own
// tsup.config.ts only names its entry points (and rare extras).
import { defineConfig } from 'tsup';

/**
 * @param {{ entry?: string[] | Record<string, string> } & import('tsup').Options} [overrides]
 */
export function supportTsupConfig(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    // tsup 8.5 passes `baseUrl` to its declaration build, which TypeScript 6
    // deprecates; silence only that until tsup stops setting it.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    shims: false,
    outDir: 'dist',
    ...overrides,
  });
}

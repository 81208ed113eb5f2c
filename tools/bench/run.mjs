#!/usr/bin/env node
// `pnpm bench [name…]`: runs bench/run.mjs of every package (or of the named
// ones) against its built dist/, one package at a time so they do not compete
// for the two cores, and prints the markdown that goes into BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { machine } from './measure.mjs';

const root = new URL('../..', import.meta.url).pathname;
const only = process.argv.slice(2);
const dirs = readdirSync(join(root, 'packages'))
  .filter((name) => only.length === 0 || only.includes(name))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'bench', 'run.mjs')));

process.stdout.write(
  `# Benchmarks\n\nMachine: ${machine()}\nDate: ${new Date().toISOString().slice(0, 10)}\n\n`,
);
let failed = 0;
for (const dir of dirs) {
  if (!existsSync(join(dir, 'dist'))) {
    process.stderr.write(`${dir}: not built; run pnpm build first\n`);
    failed++;
    continue;
  }
  const result = spawnSync(process.execPath, ['--expose-gc', 'bench/run.mjs'], {
    cwd: dir,
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);

#!/usr/bin/env node
// Checks every publishable package the way its users' tools will see it:
// publint --strict (package.json and files) and attw --pack (types resolve
// for ESM, CJS and bundlers). Packages must be built first (`pnpm build`).
// Exits non-zero if any check of any package fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);

const checks = [
  ['publint', [bin('publint'), '--strict']],
  ['attw', [bin('attw'), '--pack', '.', '--format', 'ascii']],
];

const failures = [];
for (const dir of packages) {
  const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
  if (!existsSync(join(dir, 'dist'))) {
    failures.push(`${name}: not built (run pnpm build first)`);
    continue;
  }
  for (const [label, [command, ...args]] of checks) {
    process.stdout.write(`\n== ${label} ${name}\n`);
    const result = spawnSync(command, args, { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) failures.push(`${name}: ${label} failed`);
  }
}

if (failures.length > 0) {
  process.stderr.write(`\ncheck:packages failed:\n  ${failures.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(
  `\ncheck:packages: ${packages.length} package(s) pass publint --strict and attw --pack\n`,
);

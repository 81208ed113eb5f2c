// Tests that need a program from outside npm (redis-server, chromium,
// openssl): required where CI is set, skipped with a stated reason on a
// machine without the program, never failed by the machine.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The path of the executable `program` in one of PATH's folders, or undefined. */
export function findProgram(program, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * Why the tests needing `program` are skipped on this machine, or undefined
 * when they run: always with CI set, where a missing program must fail them.
 */
export function programSkipReason(program, install, env = process.env) {
  if (env.CI || findProgram(program, env.PATH ?? '') !== undefined) return undefined;
  return `${program} not found: ${install}`;
}

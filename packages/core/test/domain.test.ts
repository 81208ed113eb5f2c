import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PKG = fileURLToPath(new URL('..', import.meta.url));

describe('@support/core import', () => {
  it('does not load node:domain (which slows every EventEmitter) unless a console is asked for', () => {
    const code = `const events = await import('node:events'); await import('@support/core'); process.stdout.write(String(events.default.usingDomains));`;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@support/source', '--input-type=module', '-e', code],
      {
        cwd: PKG,
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('false');
  });
});

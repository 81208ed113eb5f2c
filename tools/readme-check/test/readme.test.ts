import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blocks, check } from '../check.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readmes = ['packages', 'examples']
  .flatMap((group) =>
    readdirSync(join(root, group)).map((name) => join(root, group, name, 'README.md')),
  )
  .filter((file) => existsSync(file));
readmes.push(join(root, 'README.md'));

describe('README code blocks', () => {
  it('type-check against the sources (fragments may use undeclared names)', () => {
    const count = readmes.reduce((n, file) => n + blocks(file).length, 0);
    expect(count).toBeGreaterThan(25);
    expect(check(readmes)).toEqual([]);
  }, 120_000);

  it('report API drift and `await using` in plain JavaScript', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-check-'));
    try {
      const file = join(dir, 'README.md');
      writeFileSync(
        file,
        [
          '```ts',
          "import { Stats, Nope } from '@support/faststat';",
          'new Stats().quantle(0.5);',
          '```',
          '',
          '```mjs',
          'await using x = y;',
          '```',
          '',
        ].join('\n'),
      );
      const problems = check([file]);
      expect(problems).toEqual([
        `${file}:7: \`await using\` is a SyntaxError in plain JavaScript on Node 20`,
        expect.stringMatching(/README\.md:2: TS2305 .*Nope/),
        expect.stringMatching(/README\.md:3: TS2551 .*quantle/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Block, blocks, check, programs } from '../check.mjs';
import { runBlock, skipReason, verdict, where, withServer } from '../run.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readmes = ['packages', 'examples']
  .flatMap((group) =>
    readdirSync(join(root, group)).map((name) => join(root, group, name, 'README.md')),
  )
  .filter((file) => existsSync(file));
readmes.push(join(root, 'README.md'));

const wholePrograms = programs(readmes);
// One at a time: two blocks probing the same port at once would see it taken.
const skipped = new Map<Block, string | undefined>();
for (const block of wholePrograms) skipped.set(block, await skipReason(block));

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

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('README blocks that are whole programs', () => {
  it('are most of the usage examples: every package README has at least one', () => {
    const files = new Set(wholePrograms.map((b) => b.file));
    const names = ['bufsock', 'connmgr', 'context', 'core', 'faststat', 'meta', 'prefork'];
    for (const name of [...names, 'threadpool', 'web']) {
      expect(files).toContain(join(root, 'packages', name, 'README.md'));
    }
  });

  for (const block of wholePrograms) {
    const reason = skipped.get(block);
    // A block that cannot run here says why (a port in use, a server not installed).
    it.skipIf(reason !== undefined)(
      `${where(block)} runs: exits 0, or answers on its ports${reason ? ` (skipped: ${reason})` : ''}`,
      async () => {
        const run = await withServer(block, () => runBlock(block));
        expect(verdict(run)).toBeUndefined();
      },
      90_000,
    );
  }

  it('a program that throws, or a server that answers 500, fails', async () => {
    const file = join(root, 'README.md');
    const thrower = {
      file,
      line: 1,
      lang: 'ts',
      code: "import 'node:os';\nthrow new Error('boom');\n",
    };
    const run = await runBlock(thrower);
    expect(verdict(run)).toMatch(/boom/);
    const port = await freePort();
    const failing = {
      file,
      line: 2,
      lang: 'mjs',
      code: [
        "import http from 'node:http';",
        'const server = http.createServer((req, res) => { res.statusCode = 500; res.end(); });',
        `server.listen(${port}, '127.0.0.1');`,
      ].join('\n'),
    };
    expect(verdict(await runBlock(failing))).toBe(`port ${port}: 500`);
  }, 90_000);
});

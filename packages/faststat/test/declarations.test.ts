// The emitted declarations must be accepted by TypeScript before 5.7, where
// typed arrays are not generic: an inferred `Float64Array<ArrayBuffer>` in a
// .d.ts fails there without skipLibCheck. Emits them with the workspace's
// TypeScript and looks for any generic typed array or Buffer.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const GENERIC =
  /\b(?:Float32|Float64|Int8|Int16|Int32|Uint8|Uint8Clamped|Uint16|Uint32|BigInt64|BigUint64)Array<|\bBuffer</;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

it('declarations name no generic typed array (TypeScript < 5.7 accepts them)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'faststat-dts-'));
  try {
    const src = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    await run(
      process.execPath,
      [
        tsc,
        '--declaration',
        '--emitDeclarationOnly',
        '--skipLibCheck',
        '--strict',
        '--target',
        'ES2022',
        '--lib',
        'ES2023,ESNext.Disposable',
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--types',
        'node',
        '--outDir',
        out,
        src,
      ],
      { timeout: 60_000 },
    );
    const offending: string[] = [];
    let count = 0;
    for await (const file of files(out)) {
      count++;
      const text = await readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (GENERIC.test(line)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(count).toBeGreaterThan(5);
    expect(offending).toEqual([]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}, 90_000);

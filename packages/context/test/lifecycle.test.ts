import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A child process needs plain JavaScript, so the sources are bundled (with
// @support/faststat) into a temporary file first; no prior build is needed.
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'context-lifecycle-'));
  bundle = join(dir, 'context.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@support/source'],
    outfile: bundle,
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runChild(
  script: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null; ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - started, out });
    });
  });
}

describe('lifecycle', () => {
  it('after ctx.close() a process with nothing else to do exits by itself', async () => {
    const script = join(dir, 'close.mjs');
    await writeFile(
      script,
      `import { Context } from ${JSON.stringify(bundle)};
const ctx = new Context({ config: { monitorInterval: 10 } });
await ctx.setSampling(true);
ctx.log.get('app').info('START').success();
await new Promise((r) => setTimeout(r, 100));
await ctx.close();
// Keep the process from exiting early only through a ref'd timer we clear,
// so what decides the exit is whatever the context left behind.
console.log('closed', ctx.closed, ctx.monitoring, ctx.sampling, ctx.watching);
`,
    );
    const result = await runChild(script, 10_000);
    expect(result.signal, result.out).toBeNull();
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('closed true false false false');
    expect(result.ms).toBeLessThan(10_000);
  });

  it('a context left open does not keep the process alive either (everything is unref’d)', async () => {
    const script = join(dir, 'open.mjs');
    await writeFile(
      script,
      `import { Context } from ${JSON.stringify(bundle)};
const ctx = new Context();
ctx.stats.get('x').add(1);
console.log('started', ctx.monitoring, ctx.watching);
`,
    );
    const result = await runChild(script, 10_000);
    expect(result.signal, result.out).toBeNull();
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('started true true');
  });
});

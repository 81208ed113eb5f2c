// Runs test/fixtures/serve-meta.ts in a child process: bundled once with
// esbuild (the one tsup brings; no extra dependency) into a directory under
// the package's node_modules, so the bundle still resolves `uplot` and finds
// the page assets beside it.
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup } from './helpers.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));

/** The build function of esbuild, reached through tsup (the root's dev dependency). */
type Build = (options: Record<string, unknown>) => Promise<unknown>;

function esbuild(): { build: Build } {
  const fromTsup = createRequire(createRequire(import.meta.url).resolve('tsup'));
  return fromTsup('esbuild') as { build: Build };
}

/** Bundles the fixture; returns the script path (removed after the test). */
export async function bundleFixture(name = 'serve-meta'): Promise<string> {
  const cache = join(PKG, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, 'meta-child-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const outfile = join(dir, `${name}.mjs`);
  await esbuild().build({
    entryPoints: [join(PKG, `test/fixtures/${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@support/source'],
    external: ['uplot'],
    // CommonJS dependencies (find-my-way) call require() inside the ES module.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    outfile,
    logLevel: 'silent',
  });
  await cp(join(PKG, 'src/assets'), join(dir, 'assets'), { recursive: true });
  return outfile;
}

export interface Served {
  url: string;
  child: ChildProcess;
  output(): string;
}

/** Starts the bundled fixture with extra env and argv; resolves once it listens. */
export function startChild(
  script: string,
  env: Record<string, string>,
  args: string[],
  execArgv: string[] = [],
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not start: ${out}`));
    }, 20_000);
    cleanup(
      () =>
        new Promise<void>((done) => {
          clearTimeout(timer);
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
    );
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, child, output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}: ${out}`));
    });
  });
}

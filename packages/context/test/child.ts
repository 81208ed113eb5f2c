// Helpers for the tests that run a program in a child process: the context's
// sources bundled into one plain-JavaScript file, and a child run with its
// stdout, stderr, exit code and signal kept apart.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles src/ (with @support/faststat) into `outfile`, an ES module (or CommonJS) a child can load. */
export async function bundleContext(outfile: string, format: 'esm' | 'cjs' = 'esm'): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    conditions: ['@support/source'],
    outfile,
    logLevel: 'silent',
  });
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  args?: string[];
  execArgv?: string[];
  timeoutMs?: number;
  /** Called with each stdout chunk and the child, e.g. to signal it once it is ready. */
  onStdout?(chunk: string, kill: (signal: NodeJS.Signals) => void): void;
}

/** Runs `node [execArgv] script [args]`; SIGKILLs it after `timeoutMs`. */
export function runNode(script: string, options: ChildOptions = {}): Promise<ChildResult> {
  const { args = [], execArgv = [], timeoutMs = 20_000, onStdout } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout?.(chunk, (signal) => child.kill(signal));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `task(i)` for i in [0, n), at most `concurrency` at a time; results in order. */
export async function inBatches<T>(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, concurrency) }, async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}

// Runs the README blocks that are whole programs, the way a reader would
// paste them into a file: TypeScript under tsx, the packages' sources
// through the `@support/source` condition. A program passes when it exits
// 0, or, if it serves on fixed ports, when each port answers an HTTP GET /
// with a status under 500 (it is then stopped with SIGTERM); either way
// with nothing on stderr.
// Usage: node tools/readme-check/run.mjs packages/web/README.md …
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProgram, programSkipReason } from '@support-tools/test-utils';
import { programs } from './check.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const EXT = { ts: 'mts', typescript: 'mts', js: 'mjs', javascript: 'mjs', mjs: 'mjs', cjs: 'cjs' };
// Resolved here: the block runs with its cwd elsewhere.
const TSX = import.meta.resolve('tsx');
// The fixed ports a block listens on (`port: 8888`, `.listen(8080`).
const PORTS = /\bport:\s*(\d{2,5})\b|\.listen\(\s*(\d{2,5})\b/g;

/** `file:line` of a block, relative to the repository. */
export function where(block) {
  return `${relative(root, block.file)}:${block.line}`;
}

/** Servers a block may need (`<!-- readme-check: needs … -->`), started for its run when not up. */
const SERVERS = {
  'redis-server': {
    port: 6379,
    args: ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    install: 'apt-get install redis-server',
  },
};

/**
 * Why a block cannot run on this machine, or undefined: a fixed port it
 * listens on is taken, or the server it needs is neither up nor installed
 * (never skipped where CI is set).
 */
export async function skipReason(block) {
  const server = block.needs === undefined ? undefined : SERVERS[block.needs];
  if (block.needs !== undefined && server === undefined) {
    throw new Error(
      `${where(block)}: no way to start ${block.needs} (readme-check/run.mjs SERVERS)`,
    );
  }
  if (server !== undefined && (await portFree(server.port))) {
    const reason = programSkipReason(block.needs, server.install);
    if (reason) return reason;
  }
  for (const port of listenPorts(block)) {
    if (!(await portFree(port))) return `port ${port} is in use on this machine`;
  }
  return undefined;
}

/** Runs `fn` with the server the block needs up: the one already there, or one started for it. */
export async function withServer(block, fn) {
  const server = block.needs === undefined ? undefined : SERVERS[block.needs];
  if (server === undefined || !(await portFree(server.port))) return fn();
  const program = findProgram(block.needs);
  if (program === undefined) throw new Error(`${block.needs} not found: ${server.install}`);
  const child = spawn(program, server.args, { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 10_000;
    while (await portFree(server.port)) {
      if (Date.now() > deadline) throw new Error(`${block.needs} did not listen on ${server.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return await fn();
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
  }
}

function portFree(port) {
  return new Promise((done) => {
    const probe = net.createServer();
    probe.once('error', () => done(false));
    probe.listen(port, () => probe.close(() => done(true)));
  });
}

/** The fixed ports a block listens on (a port of the server it needs is not one). */
function listenPorts(block) {
  const needed = block.needs === undefined ? undefined : SERVERS[block.needs]?.port;
  const ports = [...block.code.matchAll(PORTS)].map((m) => Number(m[1] ?? m[2]));
  return [...new Set(ports)].filter((p) => p !== needed);
}

/** The status of `GET /` on 127.0.0.1:port, retried while nothing listens, until `deadline` or `gone()`. */
async function probe(port, deadline, gone) {
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      return res.status;
    } catch (error) {
      if (Date.now() > deadline || gone())
        return `no answer (${error.cause?.code ?? error.message})`;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Runs one block in a fresh directory (its cwd, for files it writes). A block
 * that listens on fixed ports is probed there and then stopped, with its
 * workers. Resolves `{ outcome: 'exited' | 'served', answers, code, signal,
 * stdout, stderr }`; `answers` maps each port to its status.
 */
export async function runBlock(block, { timeout = 30_000 } = {}) {
  // Inside this package, so that `@support/*` resolves to its workspace links.
  const dir = join(here, '.run');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `${relative(root, block.file).replaceAll('/', '_')}-${block.line}.${EXT[block.lang]}`,
  );
  writeFileSync(file, block.code);
  const cwd = mkdtempSync(join(tmpdir(), 'readme-run-'));
  const child = spawn(process.execPath, ['--import', TSX, '--conditions=@support/source', file], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let outcome = 'exited';
  const answers = {};
  let gone = false;
  exited.then(() => {
    gone = true;
  });
  const ports = listenPorts(block);
  if (ports.length > 0) {
    const deadline = Date.now() + timeout;
    for (const port of ports) {
      if (!gone) answers[port] = await probe(port, deadline, () => gone);
    }
    if (!gone) {
      outcome = 'served';
      stop(child, 'SIGTERM');
    }
  }
  const killTimer = setTimeout(() => stop(child, 'SIGKILL'), timeout);
  try {
    const { code, signal } = await exited;
    return { outcome, answers, code, signal, stdout, stderr };
  } finally {
    clearTimeout(killTimer);
    // Workers a SIGTERMed arbiter left behind, if any.
    stop(child, 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

/** Signals the block's whole process group (an arbiter and its workers). */
function stop(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Whether a run passed, and a message saying why not. */
export function verdict(run) {
  if (run.stderr.trim() !== '') return `wrote to stderr:\n${run.stderr}`;
  for (const [port, status] of Object.entries(run.answers)) {
    if (!(typeof status === 'number' && status < 500)) return `port ${port}: ${status}`;
  }
  if (run.outcome === 'exited' && run.code !== 0) {
    return `exited with ${run.code ?? run.signal}\n${run.stdout}`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = 0;
  for (const block of programs(process.argv.slice(2))) {
    const reason = await skipReason(block);
    if (reason) {
      console.log(`${where(block)}: skipped, ${reason}`);
      continue;
    }
    const run = await withServer(block, () => runBlock(block));
    const problem = verdict(run);
    if (problem) failed++;
    const answers = Object.entries(run.answers).map(([port, status]) => ` ${port}→${status}`);
    console.log(`${where(block)}: ${problem ?? run.outcome}${answers.join('')}`);
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

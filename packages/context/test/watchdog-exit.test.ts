import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleContext, type ChildResult, inBatches, runNode } from './child.js';

// A process whose context has the watchdog on must end the way its program
// says, and print nothing of the watchdog's: no "Waiting for the debugger to
// disconnect...", no abort. Each case runs 20 times (a rare abort would show),
// four children at a time; half of the runs have the monitor on (the monitor's
// timer carries the heartbeat), half off (the watchdog's own timer does).
const RUNS = 20;
const CONCURRENCY = 4;

let dir: string;
let program: string;

const PROGRAM = (bundle: string) => `
import { Context } from ${JSON.stringify(bundle)};
const [how, block, monitoring] = process.argv.slice(2);
function blockedInAChild(ms) {
  const end = Date.now() + ms;
  let spins = 0;
  while (Date.now() < end) spins++;
  return spins;
}
const ctx = new Context({
  monitoring: monitoring === 'on',
  config: { longBlockThreshold: 50 },
  longBlockReportInterval: 0,
});
process.stderr.write('program: started\\n');
await new Promise((r) => setTimeout(r, 150));
let report = null;
if (block === 'block') {
  // On a loaded machine a child may be starved of CPU for longer than the
  // threshold, and a capture may come too late for a 300 ms block: such
  // reports are skipped, and the block is tried again, up to three times.
  const mine = (r) => r.frames?.[0]?.functionName === 'blockedInAChild';
  for (let attempt = 0; attempt < 3 && !ctx.longBlocks().some(mine); attempt++) {
    const before = ctx.longBlocks().length;
    blockedInAChild(300);
    const deadline = Date.now() + 5000;
    while (ctx.longBlocks().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
  }
  const r = ctx.longBlocks().find(mine) ?? ctx.longBlocks().at(-1);
  report = r ? { top: r.frames?.[0]?.functionName ?? null, error: r.error } : null;
}
process.stdout.write('ready ' + JSON.stringify({ watching: ctx.watching, report }) + '\\n');
if (how === 'exit0') process.exit(0);
if (how === 'exit3') process.exit(3);
if (how === 'throw') throw new Error('boom from the child');
// 'sigterm': the parent sends SIGTERM once it reads "ready"; Node's default
// disposition ends the process. The interval keeps it alive until then.
setInterval(() => {}, 1000);
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'context-watchdog-exit-'));
  const bundle = join(dir, 'context.mjs');
  await bundleContext(bundle);
  program = join(dir, 'program.mjs');
  await writeFile(program, PROGRAM(bundle));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type How = 'exit0' | 'exit3' | 'throw' | 'sigterm';

function runCase(how: How, block: boolean, i: number): Promise<ChildResult> {
  return runNode(program, {
    args: [how, block ? 'block' : 'none', i % 2 === 0 ? 'on' : 'off'],
    timeoutMs: 30_000,
    onStdout: (chunk, kill) => {
      if (how === 'sigterm' && chunk.includes('ready')) kill('SIGTERM');
    },
  });
}

const UNCAUGHT =
  /^program: started\nfile:\/\/\S+:\d+\n.*\n *\^+\n\nError: boom from the child\n( {4}at .*\n)+\nNode\.js v[\d.]+\n$/;

function expectClean(how: How, block: boolean, r: ChildResult): void {
  const ready = /^ready (.*)$/m.exec(r.stdout);
  expect(ready, r.stderr).not.toBeNull();
  const state = JSON.parse(ready![1]!) as {
    watching: boolean;
    report: { top: string | null; error: string | null } | null;
  };
  expect(state.watching).toBe(true);
  if (block) expect(state.report).toEqual({ top: 'blockedInAChild', error: null });
  if (how === 'throw') {
    expect(r.stderr).toMatch(UNCAUGHT);
  } else {
    expect(r.stderr).toBe('program: started\n');
  }
  if (how === 'sigterm') {
    expect([r.code, r.signal]).toEqual([null, 'SIGTERM']);
  } else {
    expect([r.code, r.signal]).toEqual([{ exit0: 0, exit3: 3, throw: 1 }[how], null]);
  }
}

describe(`a process with the watchdog on exits quietly (each case ${RUNS} times)`, () => {
  const cases: [How, boolean][] = [
    ['exit0', false],
    ['exit3', false],
    ['throw', false],
    ['sigterm', false],
    ['exit0', true],
    ['exit3', true],
    ['throw', true],
    ['sigterm', true],
  ];
  for (const [how, block] of cases) {
    const name = `${how === 'sigterm' ? 'SIGTERM (default handler)' : how === 'throw' ? 'an uncaught exception' : `process.exit(${how.slice(4)})`}${block ? ', after a captured long block' : ''}`;
    it(name, { timeout: 120_000 }, async () => {
      const results = await inBatches(RUNS, CONCURRENCY, (i) => runCase(how, block, i));
      for (const r of results) expectClean(how, block, r);
    });
  }
});

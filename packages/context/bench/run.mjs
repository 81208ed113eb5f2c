// Benchmarks for @support/context, against the built dist/ (run `pnpm build`
// first, or `pnpm bench context`). Prints the markdown for BENCHMARKS.md.

import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Context, getLocal, setLocal, withLocals } from '@support/context';
import { fmt, machine, median, nsPerOp, nsPerOpAsync, table } from '@support-tools/bench';
import pino from 'pino';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
process.stdout.write(`## @support/context\n\n${machine()}\n\n`);

// ---------------------------------------------------------------------------
// 1. Monitor (and watchdog) overhead: CPU time of the same workload with them
//    on and off, in fresh processes, interleaved, median of the runs.
{
  const RUNS = 5;
  const modes = ['off', 'monitor', 'watchdog', 'both'];
  for (const [workload, seconds, label] of [
    ['idle', 4, 'an idle process'],
    ['json', 6, 'a fixed JSON workload every 10 ms (~5% of a core)'],
  ]) {
    const results = Object.fromEntries(modes.map((m) => [m, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const mode of modes) {
        const child = spawnSync(
          process.execPath,
          [here('overhead-child.mjs'), mode, workload, String(seconds)],
          { encoding: 'utf8' },
        );
        if (child.status !== 0) throw new Error(`overhead child failed: ${child.stderr}`);
        results[mode].push(JSON.parse(child.stdout.trim().split('\n').pop()));
      }
    }
    const cpuPerSecond = (mode) => median(results[mode].map((x) => x.cpuMs / (x.wallMs / 1000)));
    const base = cpuPerSecond('off');
    const rows = modes.map((mode) => {
      const perSecond = cpuPerSecond(mode);
      const extra = mode === 'off' ? '—' : `${fmt(((perSecond - base) / 1000) * 100, 2)}%`;
      const tick = median(results[mode].map((x) => x.tickMedianMs));
      const ticksShare = tick
        ? `${fmt(tick * 1000, 3)} µs (${fmt((tick * 10 * 100) / 1000, 2)}%)`
        : '—';
      return [mode, `${fmt(perSecond, 3)} ms`, extra, ticksShare];
    });
    process.stdout.write(
      `### Overhead at the default 100 ms interval: ${label}, ${seconds} s, median of ${RUNS} fresh processes per mode\n\n`,
    );
    table(
      [
        'mode',
        'CPU time per wall second',
        'extra, % of one core',
        'monitor tick, median (10 per second, % of a core)',
      ],
      rows,
    );
  }
}

// ---------------------------------------------------------------------------
// 2. Watchdog: a 300 ms synchronous block in a named function. Latency is
//    from the moment the threshold passed to the moment the stack was in hand.
//    Each block starts at a random moment (the gap before it is random), so
//    its phase against the heartbeat is random too. Once with the monitor on
//    (its timer carries the heartbeat, every 100 ms) and once with it off
//    (the watchdog's own timer, every threshold / 2).
{
  function blockedInANamedFunction(ms) {
    const end = Date.now() + ms;
    let x = 0;
    while (Date.now() < end) x++;
    return x;
  }
  const RUNS = 11;
  const rows = [];
  let threshold;
  for (const monitoring of [true, false]) {
    const ctx = new Context({ monitoring, longBlockReportInterval: 0 });
    threshold = ctx.config.longBlockThreshold;
    const latencies = [];
    let topFrameRight = 0;
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < RUNS; i++) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
      const before = ctx.longBlocks().length;
      const startedAt = performance.timeOrigin + performance.now();
      blockedInANamedFunction(300);
      const deadline = Date.now() + 5000;
      while (ctx.longBlocks().length === before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const report = ctx.longBlocks().at(-1);
      if (report?.capturedAt) latencies.push(report.capturedAt - (startedAt + threshold));
      if (report?.frames?.[0]?.functionName === 'blockedInANamedFunction') topFrameRight++;
    }
    await ctx.close();
    rows.push([
      monitoring ? 'on (shared 100 ms beat)' : 'off (own beat, threshold / 2)',
      `${fmt(median(latencies), 3)} ms`,
      `${fmt(Math.max(...latencies), 3)} ms`,
      `${topFrameRight} / ${RUNS}`,
    ]);
  }
  process.stdout.write(
    `### Long-block watchdog (300 ms block, threshold ${threshold} ms, ${RUNS} blocks at random moments)\n\n`,
  );
  table(
    [
      'monitor',
      'report latency after the threshold, median',
      'worst',
      'stacks whose top frame is the blocking function',
    ],
    rows,
  );
}

// ---------------------------------------------------------------------------
// 3. Logging: one action record to the in-memory ring, against pino writing
//    the same fields to a discarding destination.
{
  const ctx = new Context({ monitoring: false, watchdog: false });
  const log = ctx.log.get('bench');
  const ours = nsPerOp(
    (n) => {
      for (let i = 0; i < n; i++)
        log.info('CONNECT', 'db1').success('connected to {addr}', { addr: '10.0.0.1' });
    },
    { iterations: 500_000 },
  );
  const sink = { write() {} };
  const logger = pino({ level: 'info' }, sink);
  const theirs = nsPerOp(
    (n) => {
      for (let i = 0; i < n; i++)
        logger.info(
          { action: 'CONNECT', detail: 'db1', addr: '10.0.0.1' },
          'connected to 10.0.0.1',
        );
    },
    { iterations: 500_000 },
  );
  await ctx.close();
  process.stdout.write('### Action logging\n\n');
  table(
    ['operation', 'ns per record', 'vs pino'],
    [
      [
        "`log.info('CONNECT', host).success(msg, data)` to the ring sink",
        fmt(ours),
        `${fmt(ours / theirs, 2)}×`,
      ],
      ['pino `logger.info(obj, msg)` to a discarding stream (baseline)', fmt(theirs), '1×'],
    ],
  );
}

// ---------------------------------------------------------------------------
// 4. Spawn-tree locals: a scope with one value read back, sync and across an
//    await, against bare AsyncLocalStorage.run.
{
  const als = new AsyncLocalStorage();
  const bareSync = nsPerOp(
    (n) => {
      for (let i = 0; i < n; i++) als.run({ v: i }, () => als.getStore().v);
    },
    { iterations: 1_000_000 },
  );
  const localsSync = nsPerOp(
    (n) => {
      for (let i = 0; i < n; i++)
        withLocals(() => {
          setLocal('v', i);
          return getLocal('v');
        });
    },
    { iterations: 1_000_000 },
  );
  const bareAsync = await nsPerOpAsync(
    async (n) => {
      for (let i = 0; i < n; i++)
        await als.run({ v: i }, async () => {
          await null;
          return als.getStore().v;
        });
    },
    { iterations: 200_000 },
  );
  const localsAsync = await nsPerOpAsync(
    async (n) => {
      for (let i = 0; i < n; i++)
        await withLocals(async () => {
          setLocal('v', i);
          await null;
          return getLocal('v');
        });
    },
    { iterations: 200_000 },
  );
  process.stdout.write('### Spawn-tree locals\n\n');
  table(
    ['operation', 'withLocals ns/op', 'bare AsyncLocalStorage ns/op', 'ratio'],
    [
      [
        'scope + set + get, synchronous',
        fmt(localsSync),
        fmt(bareSync),
        `${fmt(localsSync / bareSync, 2)}×`,
      ],
      [
        'scope + set + get across an await',
        fmt(localsAsync),
        fmt(bareAsync),
        `${fmt(localsAsync / bareAsync, 2)}×`,
      ],
    ],
  );
}

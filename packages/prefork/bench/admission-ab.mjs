// Compares admission settings side by side under one open-loop overload:
// each variant is a bench/server.mjs config (kind, workers, admission, and
// `rule`: HttpAdmission options; `env`: extra environment), run in turn,
// round by round, at the same rate. Prints served and 503 latencies per run.
// Usage (after `pnpm build`):
//   node bench/admission-ab.mjs '{"a":{"kind":"arbiter","admission":true},
//     "b":{"kind":"arbiter","admission":true,"rule":{"target":30}}}' [rate=1800] [rounds=3]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openLoop } from './loadgen.mjs';

const server = fileURLToPath(new URL('server.mjs', import.meta.url));

async function run(config, rate) {
  const child = spawn(process.execPath, [server, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...config.env },
  });
  const port = await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/READY (\d+)/);
      if (m) resolve(Number(m[1]));
    });
  });
  const r = await openLoop({
    port,
    rate,
    duration: 4000,
    connections: 16,
    path: '/w2',
    timeout: 5000,
  });
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  return r;
}

const variants = JSON.parse(process.argv[2] ?? '{"arbiter":{"kind":"arbiter","admission":true}}');
const rate = Number(process.argv[3] ?? 1800);
const rounds = Number(process.argv[4] ?? 3);
const lines = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, config] of Object.entries(variants)) {
    const r = await run(config, rate);
    (lines[name] ??= []).push(
      `served ${r.served.n} p50 ${r.served.p50.toFixed(1)} p99 ${r.served.p99.toFixed(1)} ms | 503s ${r.shed.n} p50 ${r.shed.p50.toFixed(1)} ms | timeouts ${r.timeouts}`,
    );
  }
}
for (const [name, runs] of Object.entries(lines)) console.log(`${name}\n  ${runs.join('\n  ')}`);

// Measuring helpers shared by the packages' bench/ scripts. The machine is
// shared and noisy, so every figure is the median of several runs and is
// reported next to a baseline measured in the same process.
import { cpus } from 'node:os';

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `fn(iterations)` `runs` times after one warm-up run and returns the
 * median nanoseconds per iteration. `fn` does all `iterations` itself so that
 * no per-call closure overhead is added to what it measures.
 */
export function nsPerOp(fn, { iterations, runs = 7 }) {
  fn(Math.min(iterations, 100_000));
  const samples = [];
  for (let r = 0; r < runs; r++) {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    fn(iterations);
    samples.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return median(samples);
}

/** Like nsPerOp for async work: `fn(iterations)` returns a promise. */
export async function nsPerOpAsync(fn, { iterations, runs = 7 }) {
  await fn(Math.min(iterations, 1_000));
  const samples = [];
  for (let r = 0; r < runs; r++) {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    await fn(iterations);
    samples.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return median(samples);
}

/** One-line description of the machine, for the head of a report. */
export function machine() {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Prints a markdown table. `rows` are arrays of cells. */
export function table(header, rows) {
  const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

/** Formats a number with a fixed count of significant digits. */
export function fmt(value, digits = 3) {
  if (!Number.isFinite(value)) return String(value);
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

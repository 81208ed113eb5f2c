// What the two framing benchmarks share: per-receiver ratios against the
// baseline from times measured round by round, and the markdown table.
import { fmt, median, table } from '@support-tools/bench';

/**
 * `wall` and `cpu` map each receiver kind (one of them `baseline`) to its
 * seconds per round. Returns, per kind, messages/s (median wall clock) and
 * the per-round ratios baseline time / its time.
 */
export function ratios(kinds, wall, cpu, messages) {
  const stats = (kind) => ({
    rate: messages / median(wall[kind]),
    wall: wall[kind].map((s, i) => wall.baseline[i] / s),
    cpu: cpu[kind].map((s, i) => cpu.baseline[i] / s),
  });
  return Object.fromEntries(kinds.map((k) => [k, stats(k)]));
}

/** Prints the table: the baseline, then `rows` ([label, kind]); `note` below it. */
export function printRatios(title, result, rows, note) {
  const ratio = (values) =>
    `${fmt(median(values))}× (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
  process.stdout.write(`### ${title}\n\n`);
  table(
    ['receiver', 'messages/s', 'vs baseline, wall clock', 'vs baseline, CPU time'],
    [
      ["baseline: hand-written `'data'` parser", fmt(result.baseline.rate), '1×', '1×'],
      ...rows.map(([label, kind]) => [
        label,
        fmt(result[kind].rate),
        ratio(result[kind].wall),
        ratio(result[kind].cpu),
      ]),
    ],
  );
  process.stdout.write(
    `Ratios: median over the rounds of (baseline time / receiver time) in the same round, range over the rounds in parentheses${note}.\n\n`,
  );
}

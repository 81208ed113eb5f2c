// Number, size and time formatting for the pages; JSON keeps raw numbers.

// toLocaleString builds a formatter per call (tens of µs); a page of 1,000
// statistics formats 10,000 numbers, so the formatters are made once.
const FORMATS = Array.from(
  { length: 7 },
  (_, digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }),
);

/** A number with about four significant digits, thousands separated; '–' for null/NaN. */
export function num(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-4) return x.toExponential(3);
  if (Number.isInteger(x)) return (FORMATS[0] as Intl.NumberFormat).format(x);
  const digits = Math.max(0, Math.min(6, 3 - Math.floor(Math.log10(abs))));
  return (FORMATS[digits] as Intl.NumberFormat).format(x);
}

/** Bytes as B/KiB/MiB/GiB. */
export function bytes(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = x;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Milliseconds as a short duration: 850 µs, 12.3 ms, 4.2 s, 3 h 12 m. */
export function ms(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a < 1) return `${num(x * 1000)} µs`;
  if (a < 1000) return `${num(x)} ms`;
  if (a < 60_000) return `${(x / 1000).toFixed(2)} s`;
  const s = Math.floor(a / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} m`;
  return `${m} m ${s % 60} s`;
}

/** Epoch ms as an ISO time (UTC). */
export function time(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return new Date(x).toISOString().replace('T', ' ').replace('Z', '');
}

/** A percentage of 0..1. */
export function pct(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return `${(x * 100).toFixed(1)} %`;
}

/** Truncates long text for a table cell. */
export function clip(text: unknown, max = 200): string {
  const s = typeof text === 'string' ? text : (JSON.stringify(text) ?? String(text));
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Epoch ms as "12.3 s ago". */
export function ago(x: unknown, now = Date.now()): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return `${ms(now - x)} ago`;
}

/** All formatters, for `format.num(x)` in templates. */
export const format = { num, bytes, ms, time, pct, clip, ago };

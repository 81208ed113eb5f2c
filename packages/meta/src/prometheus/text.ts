// The lexical layer of the Prometheus text format (0.0.4) and OpenMetrics
// 1.0: metric and label names, escaping, number formatting.

/** A metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved). */
export const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * A statistic's name as a metric name fragment: every run of characters
 * outside `[a-zA-Z0-9_]` becomes one `_` (colons are left to recording
 * rules), leading and trailing `_` are trimmed; '' stays ''.
 */
export function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
}

/** A label value with `\`, `"` and newlines escaped. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    : value;
}

/** HELP text: `\` and newlines escaped; OpenMetrics escapes `"` as well. */
export function escapeHelp(text: string, openMetrics: boolean): string {
  let out = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (openMetrics) out = out.replace(/"/g, '\\"');
  return out;
}

/** A sample value: Go-style `+Inf`, `-Inf`, `NaN`, otherwise JavaScript's shortest form. */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

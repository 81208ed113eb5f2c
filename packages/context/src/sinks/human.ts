import type { LogRecord, Sink } from '../log/record.js';
import type { TextWritable } from './stream.js';

/**
 * Human-readable lines, one per record:
 * `2024-05-01T12:00:00.123Z info  net CONNECT db1 success 12.3ms connected to 10.0.0.1`
 * (plus the error's stack for an exception).
 */
export class HumanSink implements Sink {
  constructor(private readonly stream: TextWritable = process.stderr) {}

  write(record: LogRecord): void {
    this.stream.write(`${formatHuman(record)}\n`);
  }
}

export function formatHuman(record: LogRecord): string {
  const parts = [
    new Date(record.end).toISOString(),
    record.level.padEnd(5),
    record.logger,
    record.action,
  ];
  if (record.detail !== undefined) parts.push(record.detail);
  parts.push(record.outcome, `${record.durationMs.toFixed(1)}ms`);
  if (record.message !== '') parts.push(record.message);
  let line = parts.join(' ');
  if (record.outcome === 'exception' && record.error?.stack) {
    line += `\n  ${record.error.stack.split('\n').join('\n  ')}`;
  }
  return line;
}

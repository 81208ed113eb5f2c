import type { LogRecord, Sink } from '../log/record.js';
import type { TextWritable } from './stream.js';

/**
 * Human-readable lines, one per record:
 * `2024-05-01T12:00:00.123Z info  net CONNECT db1 success 12.3ms connected to 10.0.0.1`
 * (plus the error's stack for an exception, indented). Control characters
 * in any field are escaped (`\n`, `\r`, `\t`, `\x1b`, …), so a value a client
 * controls cannot start a line of its own or drive the terminal.
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
    escapeControl(record.logger),
    escapeControl(record.action),
  ];
  if (record.detail !== undefined) parts.push(escapeControl(record.detail));
  parts.push(record.outcome, `${record.durationMs.toFixed(1)}ms`);
  if (record.message !== '') parts.push(escapeControl(record.message));
  let line = parts.join(' ');
  if (record.outcome === 'exception' && record.error?.stack) {
    line += `\n  ${formatStack(record.error)}`;
  }
  return line;
}

/**
 * The stack, its frames on indented lines of their own. The first line (the
 * error's name and message, which may hold anything) is escaped as a whole,
 * so a line break in the message cannot pass for a line of the log.
 */
function formatStack(error: { name: string; message: string; stack?: string }): string {
  let stack = String(error.stack);
  let head = '';
  const first = `${error.name}: ${error.message}`;
  if (stack.startsWith(first)) {
    head = escapeControl(first);
    stack = stack.slice(first.length).replace(/^\n/, '');
    if (stack === '') return head;
    head += '\n  ';
  }
  return head + stack.split('\n').map(escapeControl).join('\n  ');
}

// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `value` with every control character written as an escape sequence. */
export function escapeControl(value: string): string {
  const text = String(value);
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

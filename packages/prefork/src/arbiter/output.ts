import type { Readable, Writable } from 'node:stream';

/** Longest line kept whole; longer ones are cut and flushed so memory stays bounded. */
const MAX_LINE = 64 * 1024;

/**
 * Copies `from` to `to` line by line, each line prefixed (e.g. `[worker 1 pid 42] `).
 * A partial last line is flushed when the stream ends.
 */
export function prefixLines(from: Readable, to: Writable, prefix: string): void {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf('\n');
    let out = '';
    while (nl !== -1) {
      out += `${prefix}${pending.slice(0, nl + 1)}`;
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE) {
      out += `${prefix}${pending}\n`;
      pending = '';
    }
    if (out !== '') to.write(out);
  });
  from.on('end', () => {
    if (pending !== '') to.write(`${prefix}${pending}\n`);
    pending = '';
  });
  from.on('error', () => {});
}

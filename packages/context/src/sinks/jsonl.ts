import { safeJson } from '../log/format.js';
import type { LogRecord, Sink } from '../log/record.js';
import type { TextWritable } from './stream.js';

/** One JSON object per line (the {@link LogRecord} fields), for log shippers. */
export class JsonLinesSink implements Sink {
  constructor(private readonly stream: TextWritable) {}

  write(record: LogRecord): void {
    this.stream.write(`${safeJson(record)}\n`);
  }
}

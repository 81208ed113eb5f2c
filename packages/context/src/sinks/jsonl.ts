import type { LogRecord, Sink } from '../log/record.js';
import { maxRecordBytesOption, safeRecord } from '../log/safe.js';
import type { TextWritable } from './stream.js';

/** Options of {@link JsonLinesSink}. */
export interface JsonLinesSinkOptions {
  /**
   * Most UTF-8 bytes of one line's JSON; what does not fit is cut and the
   * line carries `"truncated":true`.
   * @default 16384
   */
  maxRecordBytes?: number;
}

/**
 * One JSON object per line (the {@link LogRecord} fields), for log shippers.
 * A field that cannot be serialized (a throwing getter or `toJSON`) is
 * replaced by `'[Unserializable: …]'` and the rest of the record is kept;
 * BigInts become decimal strings, cycles `'[Circular]'` (see `safeRecord`).
 */
export class JsonLinesSink implements Sink {
  private readonly maxRecordBytes: number;

  constructor(
    private readonly stream: TextWritable,
    options?: JsonLinesSinkOptions,
  ) {
    this.maxRecordBytes = maxRecordBytesOption('JsonLinesSink', options);
  }

  write(record: LogRecord): void {
    this.stream.write(`${JSON.stringify(safeRecord(record, this.maxRecordBytes))}\n`);
  }
}

/** The one thing the text sinks need from a stream: `process.stderr`, a file stream, … */
export interface TextWritable {
  write(chunk: string): unknown;
}

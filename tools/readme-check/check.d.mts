/** One fenced code block of a README. */
export interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** The server the program talks to, from a `<!-- readme-check: needs redis-server -->` line before it. */
  needs?: string;
}
/** The TypeScript and JavaScript code blocks of one README. */
export declare function blocks(file: string): Block[];
/** Problems found in the README files, as `file:line: message` strings. */
export declare function check(files: readonly string[]): string[];
/** The blocks that are whole programs (no undeclared names, no `…`, no module of their own). */
export declare function programs(files: readonly string[]): Block[];

import type { Block } from './check.mjs';
/** What running a block gave. */
export interface Run {
  outcome: 'exited' | 'served';
  /** Status of `GET /` on each fixed port the block listens on, or why there was none. */
  answers: Record<string, number | string>;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
/** `file:line` of a block, relative to the repository. */
export declare function where(block: Block): string;
/** Why a block cannot run on this machine, or undefined. */
export declare function skipReason(block: Block): Promise<string | undefined>;
/** Runs `fn` with the server the block needs up. */
export declare function withServer<T>(block: Block, fn: () => Promise<T>): Promise<T>;
/** Runs one block (see run.mjs). */
export declare function runBlock(block: Block, options?: { timeout?: number }): Promise<Run>;
/** Why a run failed, or undefined. */
export declare function verdict(run: Run): string | undefined;

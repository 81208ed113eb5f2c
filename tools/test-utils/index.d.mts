/** A seeded uniform generator in [0, 1) (mulberry32). */
export function rng(seed: number): () => number;
/** Standard normal deviates from a uniform generator (Box-Muller). */
export function normal(random: () => number): () => number;
export type Distribution = 'uniform' | 'lognormal' | 'bimodal';
/** n points of a named distribution, reproducibly. */
export function sampleStream(kind: Distribution, n: number, seed?: number): Float64Array;
/** The nearest-rank quantile of sorted data: sorted[floor(q · (n − 1))]. */
export function exactQuantile(sorted: Float64Array, q: number): number;
/** The path of the executable `program` in one of PATH's folders, or undefined. */
export function findProgram(program: string, path?: string): string | undefined;
/** Why the tests needing `program` are skipped here, or undefined when they run (always with CI set). */
export function programSkipReason(
  program: string,
  install: string,
  env?: NodeJS.ProcessEnv,
): string | undefined;

/** The packages the app uses, dependencies first. */
export declare const PACKAGES: readonly string[];
/** The oldest TypeScript the declarations are checked with, and the newest. */
export declare const TYPESCRIPT: { oldest: string; newest: string };
/** Packs, installs into a fresh app directory, runs and type-checks; see run.mjs. */
export declare function run(options?: {
  keep?: boolean;
  log?: (line: string) => void;
}): Promise<{ dir: string; out: Record<string, string> }>;

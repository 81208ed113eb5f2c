/** A seeded uniform generator in [0, 1) (mulberry32). */
export function rng(seed: number): () => number;
/** Standard normal deviates from a uniform generator (Box-Muller). */
export function normal(random: () => number): () => number;

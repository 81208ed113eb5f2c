/** Whole numbers below this get their logarithm from a table. */
const SIZE = 1024;

/** Math.log of 0 … SIZE − 1, computed by Math.log itself so results are identical. */
const LN = new Float64Array(SIZE);
for (let i = 0; i < SIZE; i++) LN[i] = Math.log(i);

/**
 * ln(x) for x > 0. Math.log is the costliest step of an add (≈15 ns of
 * fdlibm on the bench machine); counts, sizes and Markov state counts are
 * small whole numbers, for which a table load answers identically.
 */
export function lnPositive(x: number): number {
  const i = x | 0;
  return i === x && i < SIZE ? LN[i]! : Math.log(x);
}

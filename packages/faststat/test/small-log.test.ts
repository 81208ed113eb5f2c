import { describe, expect, it } from 'vitest';
import { lnPositive } from '../src/small-log.js';

describe('lnPositive', () => {
  it('answers exactly as Math.log, from the table and beyond it', () => {
    for (let i = 1; i < 3000; i++) expect(lnPositive(i)).toBe(Math.log(i));
    for (const x of [0.5, 1.5, 1023.5, 2 ** 31 + 1, 2 ** 40, 1e-300, 1e300, 7.000000000000001]) {
      expect(lnPositive(x)).toBe(Math.log(x));
    }
  });
});

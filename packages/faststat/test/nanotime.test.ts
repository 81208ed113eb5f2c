import { describe, expect, it } from 'vitest';
import { nanotime, nanotimeToEpochMs } from '../src/index.js';

describe('nanotime', () => {
  it('is monotonic and in nanoseconds', async () => {
    const a = nanotime();
    await new Promise((r) => setTimeout(r, 20));
    const b = nanotime();
    expect(b - a).toBeGreaterThanOrEqual(15e6);
    expect(b - a).toBeLessThan(5e9);
  });

  it('converts to wall-clock milliseconds', () => {
    expect(Math.abs(nanotimeToEpochMs(nanotime()) - Date.now())).toBeLessThan(1000);
  });
});

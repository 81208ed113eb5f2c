import { describe, expect, it } from 'vitest';
import { inferNeeds } from '../src/infer-needs.js';

describe('inferNeeds', () => {
  it('reads names destructured from the first parameter', () => {
    expect(inferNeeds(({ params, db }: { params: unknown; db: unknown }) => [params, db])).toEqual([
      'params',
      'db',
    ]);
    expect(inferNeeds(async ({ body }: { body: unknown }) => body)).toEqual(['body']);
    expect(
      inferNeeds(function named({ a, b: renamed = '}', c = { d: 1 } }: Record<string, unknown>) {
        return [a, renamed, c];
      }),
    ).toEqual(['a', 'b', 'c']);
    expect(inferNeeds(() => 1)).toEqual([]);
  });

  it('gives up (checks nothing) when the names cannot be known', () => {
    expect(inferNeeds((ctx: unknown) => ctx)).toBeUndefined();
    expect(inferNeeds(((x: unknown) => x) as never)).toBeUndefined();
    expect(inferNeeds(({ a, ...rest }: Record<string, unknown>) => [a, rest])).toBeUndefined();
    expect(inferNeeds((() => 1).bind(null))).toBeUndefined();
  });
});

import { Context } from '@support/context';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type Cloned, closePools, configurePools } from '../src/index.js';
import * as tasks from './fixtures/tasks.js';
import { FROM_SOURCE } from './helpers.js';

let ctx: Context;

beforeEach(() => {
  ctx = new Context({ monitoring: false, watchdog: false });
  configurePools({ cpu: { ...FROM_SOURCE, context: ctx } });
});

afterEach(async () => {
  await closePools({ timeout: 0 });
  await ctx.close();
});

describe('result types', () => {
  it('a Buffer result arrives as a Uint8Array, and is typed so', async () => {
    const h = await tasks.digest('x');
    expectTypeOf(h).toEqualTypeOf<Uint8Array>();
    expect(Buffer.isBuffer(h)).toBe(false);
    expect(h).toBeInstanceOf(Uint8Array);
    // @ts-expect-error Uint8Array#toString takes no encoding (it would give "192,181,…")
    expect(h.toString('hex')).toMatch(/^\d+(,\d+)+$/);
    expect(Buffer.from(h.buffer, h.byteOffset, h.length).toString('hex')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps Buffers inside results and leaves everything else alone', () => {
    expectTypeOf<
      Cloned<{ a: Buffer; b: Buffer[]; m: Map<string, Buffer>; n: number }>
    >().toEqualTypeOf<{
      a: Uint8Array;
      b: Uint8Array[];
      m: Map<string, Uint8Array>;
      n: number;
    }>();
    expectTypeOf<Cloned<[Buffer, string]>>().toEqualTypeOf<[Uint8Array, string]>();
    expectTypeOf<Cloned<Set<Buffer>>>().toEqualTypeOf<Set<Uint8Array>>();
    expectTypeOf<Cloned<Float64Array>>().toEqualTypeOf<Float64Array>();
    expectTypeOf<Cloned<string>>().toEqualTypeOf<string>();
    expectTypeOf<Cloned<unknown>>().toEqualTypeOf<unknown>();
    // biome-ignore lint/suspicious/noExplicitAny: any must stay any
    expectTypeOf<Cloned<any>>().toBeAny();
    expectTypeOf(tasks.double).returns.resolves.toEqualTypeOf<number>();
  });
});

import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Context, ContextOptionError, defaultConfig } from '../src/index.js';

describe('config', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('has the documented defaults', () => {
    expect(defaultConfig()).toEqual({
      numWorkers: Math.max(2, availableParallelism() - 1),
      workerMemLimit: 1024 ** 3,
      maxConcurrentClients: 1000,
      acceptQueueMaxlen: 128,
      connectTimeout: 5000,
      datacenterConnectTimeout: 50,
      monitorInterval: 100,
      longBlockThreshold: 150,
    });
  });

  it('takes initial values and validates assignments, naming the option', () => {
    ctx = new Context({ monitoring: false, watchdog: false, config: { maxConcurrentClients: 5 } });
    expect(ctx.config.maxConcurrentClients).toBe(5);
    ctx.config.acceptQueueMaxlen = 7;
    expect(ctx.config.acceptQueueMaxlen).toBe(7);
    const c = ctx.config;
    expect(() => {
      c.acceptQueueMaxlen = -1;
    }).toThrow(/config\.acceptQueueMaxlen must be a positive integer/);
    expect(() => {
      (c as unknown as Record<string, unknown>).numWorkers = '3';
    }).toThrow(TypeError);
    expect(() => {
      c.longBlockThreshold = 1;
    }).toThrow(/config\.longBlockThreshold must be at least 10 ms/);
    expect(c.acceptQueueMaxlen).toBe(7);
  });

  it('rejects unknown keys with a TypeError that has a stable code', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const c = ctx.config as unknown as Record<string, unknown>;
    let caught: unknown;
    try {
      c.maxConcurentClients = 3;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught).toBeInstanceOf(ContextOptionError);
    expect((caught as ContextOptionError).code).toBe('SUP_ERR_CONTEXT_OPTION');
    expect((caught as ContextOptionError).option).toBe('config.maxConcurentClients');
    expect(() => new Context({ config: { bogus: 1 } as never })).toThrow(
      /config\.bogus is not a known option/,
    );
  });

  it('validates constructor options', () => {
    expect(() => new Context({ maxStatNames: 0 })).toThrow(
      /options\.maxStatNames must be a positive integer/,
    );
    expect(() => new Context({ logLevel: 'loud' as never })).toThrow(
      /options\.logLevel must be one of/,
    );
    expect(() => new Context({ recent: { size: 1.5 } })).toThrow(/options\.recent\.size/);
    expect(() => new Context({ sinks: [{}] as never })).toThrow(/options\.sinks\[0\]/);
    expect(() => new Context({ nope: true } as never)).toThrow(
      /options\.nope is not a known option/,
    );
    expect(() => new Context({ watchdgo: false } as never)).toThrow(
      /options\.watchdgo is not a known option; did you mean "watchdog"\?/,
    );
    expect(() => new Context({ config: { numWorker: 2 } as never })).toThrow(
      /config\.numWorker is not a known option; did you mean "numWorkers"\?/,
    );
  });

  it('serialises to plain JSON in the snapshot', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    expect(JSON.parse(JSON.stringify(ctx.snapshot().config))).toEqual(defaultConfig());
  });
});

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Context, formatHuman, HumanSink, JsonLinesSink, MAX_LOGGERS } from '../src/index.js';
import { MAX_RECORD_BYTES, safeRecord } from '../src/log/safe.js';

class Lines {
  readonly lines: string[] = [];
  write(chunk: string) {
    this.lines.push(...chunk.split('\n').filter(Boolean));
  }
}

/** Data no plain JSON.stringify survives: a BigInt, a cycle, a throwing getter and toJSON. */
function hostileData(): Record<string, unknown> {
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle.self = cycle;
  return {
    big: 12345678901234567890n,
    cycle,
    get boom(): unknown {
      throw new Error('getter says no');
    },
    bad: {
      toJSON() {
        throw new Error('toJSON says no');
      },
    },
    ok: 'kept',
  };
}

describe('log safety', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('names past MAX_LOGGERS share the __overflow__ logger, counted, and never throw', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    for (let i = 0; i < MAX_LOGGERS; i++) ctx.log.get(`l${i}`);
    const extra = ctx.log.get('one-too-many');
    expect(extra.name).toBe('__overflow__');
    expect(ctx.log.get('another')).toBe(extra);
    expect(() => ctx!.log.setLevel('debug', 'yet-another')).not.toThrow();
    expect(() => ctx!.log.setLevel('debug', 10n as never)).not.toThrow();
    expect(() => ctx!.log.setLevel('loud' as never, 10n as never)).toThrow(
      expect.objectContaining({ code: 'SUP_ERR_CONTEXT_OPTION', option: 'logger "10" level' }),
    );
    expect(extra.level).toBe('debug');
    ctx.log.get('l5').info('STILL').success();
    extra.info('OVER').success();
    expect(ctx.log.info()).toMatchObject({ loggers: MAX_LOGGERS + 1, overflow: 4 });
    expect(ctx.log.ring.records().map((r) => r.logger)).toEqual(['l5', '__overflow__']);
  });

  it('snapshot() always serializes: BigInt, cycle, throwing getter and toJSON in data', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    ctx.log.get('net').info('HOSTILE').success('{ok} {big}', hostileData());
    const snapshot = ctx.snapshot();
    const text = JSON.stringify(snapshot);
    const [record] = JSON.parse(text).log.ring;
    expect(record.message).toBe('kept 12345678901234567890');
    expect(record.data).toEqual({
      big: '12345678901234567890',
      cycle: { name: 'loop', self: '[Circular]' },
      boom: '[Unserializable: getter says no]',
      bad: '[Unserializable: toJSON says no]',
      ok: 'kept',
    });
  });

  it('caps each ring record at MAX_RECORD_BYTES and marks the cut', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const huge = 'é'.repeat(100_000);
    const many = Array.from({ length: 10_000 }, (_, i) => ({ i, s: 'xxxxxxxx' }));
    ctx.log.get('net').info('BIG', huge).success(huge, { huge, many });
    const [record] = ctx.log.ring.records();
    const bytes = Buffer.byteLength(JSON.stringify(record));
    expect(bytes).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(bytes).toBeGreaterThan(MAX_RECORD_BYTES * 0.9);
    expect(record!.truncated).toBe(true);
    expect(record!.message).toMatch(/…\[truncated \d+ chars\]$/);
    expect(record!).toMatchObject({ logger: 'net', action: 'BIG', outcome: 'success' });
  });

  it('leaves small records as they are', () => {
    const record = {
      logger: 'a',
      level: 'info' as const,
      action: 'X',
      outcome: 'success' as const,
      message: 'm',
      begin: 1,
      end: 2,
      durationMs: 1,
      data: { n: 1, list: [1, 'two', null, true], nested: { d: new Date(0) } },
    };
    expect(safeRecord(record)).toEqual({
      ...record,
      data: { ...record.data, nested: { d: '1970-01-01T00:00:00.000Z' } },
    });
  });

  it('a message naming a throwing getter, or a message whose toString throws, does not throw', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const log = ctx.log.get('net');
    expect(() => log.info('A').success('{boom} and {ok}', hostileData())).not.toThrow();
    const unprintable = {
      toString() {
        throw new Error('no');
      },
    };
    expect(() => log.info('B').failure(unprintable as never)).not.toThrow();
    const [a, b] = ctx.log.ring.records();
    expect(a!.message).toBe('{boom} and kept');
    expect(b!.message).toBe('<unprintable>');
  });

  it('JsonLinesSink keeps the fields it can serialize', () => {
    const out = new Lines();
    ctx = new Context({ monitoring: false, watchdog: false, sinks: [new JsonLinesSink(out)] });
    ctx.log.get('net').info('HOSTILE', 'h').success('fine', hostileData());
    expect(out.lines).toHaveLength(1);
    const line = JSON.parse(out.lines[0]!);
    expect(line).toMatchObject({ logger: 'net', action: 'HOSTILE', detail: 'h', message: 'fine' });
    expect(line.data.ok).toBe('kept');
    expect(line.data.boom).toBe('[Unserializable: getter says no]');
    expect(ctx.log.info().sinkErrors).toBe(0);
  });

  it('HumanSink escapes control characters so a value cannot forge a line', () => {
    const out = new Lines();
    ctx = new Context({ monitoring: false, watchdog: false, sinks: [new HumanSink(out)] });
    const forged = 'x\r\n2024-01-01T00:00:00.000Z info  auth LOGIN admin success';
    ctx.log.get('web\n').info('GET', `/p/${forged}`).success('to {to}\u001b[31m', { to: forged });
    const error = new Error(`bad\r\nFAKE LINE`);
    ctx.log.get('web').warn('GET').exception(error);
    // Two record lines, the stack's escaped first line and its frames.
    const frames = error.stack!.split('\n').length - 2;
    expect(out.lines).toHaveLength(3 + frames);
    expect(out.lines[0]).toContain('web\\n GET /p/x\\r\\n2024');
    expect(out.lines[0]).toContain('\\x1b[31m');
    expect(out.lines.filter((l) => l.startsWith('2024-01-01'))).toEqual([]);
    expect(out.lines.some((l) => l.startsWith('FAKE'))).toBe(false);
    expect(formatHuman(ctx.log.ring.records()[1]!)).toMatch(
      /\n {2}Error: bad\\r\\nFAKE LINE\n {6}at /,
    );
  });

  it('fuzz: any data keeps the snapshot JSON, bounded, and never throws into the caller', () => {
    const human = new Lines();
    const jsonl = new Lines();
    ctx = new Context({
      monitoring: false,
      watchdog: false,
      logRingSize: 8,
      sinks: [new HumanSink(human), new JsonLinesSink(jsonl)],
    });
    const log = ctx.log.get('fuzz');
    const value = fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withObjectString: true,
      withBoxedValues: true,
      maxDepth: 12,
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), value),
        fc.string(),
        value,
        (data, message, detail) => {
          log.info('FUZZ', detail).success(message, data);
          log.warn('FUZZ').exception(detail);
          // Anything in any argument: action, detail, message, data, error.
          log.critical(detail as never, data).failure(detail as never, data, detail);
          const text = JSON.stringify(ctx!.snapshot());
          const ring = JSON.parse(text).log.ring as unknown[];
          for (const record of ring) {
            expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
          }
          // Every JSON line parses; no human line carries a raw control character.
          for (const line of jsonl.lines.splice(0)) expect(() => JSON.parse(line)).not.toThrow();
          for (const line of human.lines.splice(0)) {
            // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
            expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sink options', () => {
  it('maxRecordBytes is validated and unknown keys are refused, naming them', async () => {
    const { RingSink } = await import('../src/index.js');
    expect(new RingSink(4, { maxRecordBytes: 1024 }).maxRecordBytes).toBe(1024);
    expect(() => new RingSink(4, { maxRecordBytes: 10 })).toThrow(
      expect.objectContaining({
        code: 'SUP_ERR_CONTEXT_OPTION',
        option: 'RingSink options.maxRecordBytes',
      }),
    );
    expect(() => new JsonLinesSink(new Lines(), { maxBytes: 5 } as never)).toThrow(
      'JsonLinesSink options.maxBytes is not an option',
    );
    const ring = new RingSink(4, { maxRecordBytes: 300 });
    ring.write({
      logger: 'a',
      level: 'info',
      action: 'X',
      outcome: 'success',
      message: 'm'.repeat(1000),
      begin: 1,
      end: 2,
      durationMs: 1,
    });
    expect(Buffer.byteLength(JSON.stringify(ring.records()[0]))).toBeLessThanOrEqual(300);
  });
});

import diagnostics_channel from 'node:diagnostics_channel';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Context,
  formatHuman,
  HumanSink,
  JsonLinesSink,
  type LogRecord,
  PinoSink,
} from '../src/index.js';

class Lines {
  readonly lines: string[] = [];
  write(chunk: string) {
    this.lines.push(...chunk.split('\n').filter(Boolean));
  }
}

describe('action log', () => {
  let ctx: Context | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('records an action with level, name, detail, times and a formatted message', async () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const log = ctx.log.get('net');
    const act = log.info('CONNECT', 'db1');
    await new Promise((r) => setTimeout(r, 20));
    act.success('connected to {addr} in {tries} tries, {missing} stays', {
      addr: '10.0.0.1:5432',
      tries: 2,
    });
    act.failure('ignored: the first outcome wins');
    const [record] = ctx.log.ring.records();
    expect(record).toMatchObject({
      logger: 'net',
      level: 'info',
      action: 'CONNECT',
      detail: 'db1',
      outcome: 'success',
      message: 'connected to 10.0.0.1:5432 in 2 tries, {missing} stays',
      data: { addr: '10.0.0.1:5432', tries: 2 },
    });
    expect(record!.durationMs).toBeGreaterThanOrEqual(15);
    expect(record!.end - record!.begin).toBeCloseTo(record!.durationMs, 0);
    expect(ctx.log.ring.records()).toHaveLength(1);
  });

  it('run() records the duration, and a throw as an exception outcome with the error', async () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const log = ctx.log.get('dns');
    const value = await log.info('DNS', 'example.test').run(async () => 42);
    expect(value).toBe(42);
    const boom = Object.assign(new Error('NXDOMAIN'), { code: 'ENOTFOUND' });
    await expect(
      log.info('DNS', 'nowhere.test').run(async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [ok, failed] = ctx.log.ring.records();
    expect(ok).toMatchObject({ outcome: 'success', action: 'DNS' });
    expect(failed).toMatchObject({
      outcome: 'exception',
      message: 'Error: NXDOMAIN',
      error: { name: 'Error', message: 'NXDOMAIN', code: 'ENOTFOUND' },
    });
  });

  it('filters by level per logger, changeable at runtime', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const a = ctx.log.get('a');
    const b = ctx.log.get('b');
    a.debug('X').success();
    ctx.log.setLevel('debug', 'a');
    a.debug('Y').success();
    b.debug('Z').success();
    ctx.log.setLevel('critical');
    a.warn('W').success();
    b.critical('C').success();
    expect(ctx.log.ring.records().map((r) => r.action)).toEqual(['Y', 'C']);
    expect(() => ctx!.log.setLevel('loud' as never, 'a')).toThrow(
      /logger "a" level must be one of/,
    );
  });

  it('never throws into the caller when a sink throws; it counts the failure', () => {
    const good = new Lines();
    ctx = new Context({
      monitoring: false,
      watchdog: false,
      sinks: [
        {
          write() {
            throw new Error('disk full');
          },
        },
        new JsonLinesSink(good),
      ],
    });
    expect(() => ctx!.log.get('x').info('A').success()).not.toThrow();
    expect(ctx.log.info()).toMatchObject({ records: 1, sinkErrors: 1, lastSinkError: 'disk full' });
    expect(good.lines).toHaveLength(1);
  });

  it('survives data that cannot be printed or serialised', () => {
    const lines = new Lines();
    ctx = new Context({ monitoring: false, watchdog: false, sinks: [new JsonLinesSink(lines)] });
    const cyclic: Record<string, unknown> = { big: 10n };
    cyclic.self = cyclic;
    const evil = {
      toString() {
        throw new Error('nope');
      },
    };
    ctx.log.get('x').info('A', evil).success('value {v}', { v: evil, cyclic });
    expect(ctx.log.get(evil as never).name).toBe('<unprintable>');
    const parsed = JSON.parse(lines.lines[0]!);
    expect(parsed).toMatchObject({ detail: '<unprintable>', message: 'value <unprintable>' });
    expect(parsed.data.cyclic).toEqual({ big: '10', self: '[Circular]' });
  });

  it('writes human-readable lines and JSON lines', () => {
    const human = new Lines();
    const json = new Lines();
    ctx = new Context({
      monitoring: false,
      watchdog: false,
      sinks: [new HumanSink(human), new JsonLinesSink(json)],
    });
    ctx.log.get('net').warn('CONNECT', 'db1').failure('refused by {addr}', { addr: '10.0.0.1' });
    expect(human.lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn {2}net CONNECT db1 failure \d+\.\dms refused by 10\.0\.0\.1$/,
    );
    const record = JSON.parse(json.lines[0]!) as LogRecord;
    expect(record).toMatchObject({
      logger: 'net',
      level: 'warn',
      outcome: 'failure',
      detail: 'db1',
    });
    const withStack = formatHuman({
      ...record,
      outcome: 'exception',
      error: { name: 'E', message: 'm', stack: 'E: m\n    at f' },
    });
    expect(withStack.split('\n')).toHaveLength(3);
  });

  it('forwards to a real pino logger without depending on pino', () => {
    const out: Array<Record<string, unknown>> = [];
    const dest = new Writable({
      write(chunk, _enc, cb) {
        out.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const logger = pino({ level: 'debug' }, dest);
    ctx = new Context({
      monitoring: false,
      watchdog: false,
      logLevel: 'debug',
      sinks: [new PinoSink(logger)],
    });
    ctx.log.get('db').debug('QUERY', 'users').success('{rows} rows', { rows: 3 });
    ctx.log.get('db').info('QUERY', 'orders').exception(new Error('timeout'));
    ctx.log.get('db').critical('POOL').failure('exhausted');
    expect(out.map((o) => o.level)).toEqual([20, 50, 50]);
    expect(out[0]).toMatchObject({
      msg: 'QUERY success: 3 rows',
      logger: 'db',
      detail: 'users',
      outcome: 'success',
      actionLevel: 'debug',
    });
    expect(out[1]).toMatchObject({ outcome: 'exception', err: { message: 'timeout' } });
    expect(() => new PinoSink({} as never)).toThrow(/debug\(\)/);
  });

  it('publishes records on support:context:log when subscribed', () => {
    ctx = new Context({ monitoring: false, watchdog: false });
    const got: unknown[] = [];
    const onRecord = (m: unknown) => got.push(m);
    diagnostics_channel.subscribe('support:context:log', onRecord);
    try {
      ctx.log.get('x').info('A').success();
    } finally {
      diagnostics_channel.unsubscribe('support:context:log', onRecord);
    }
    expect(got).toHaveLength(1);
  });
});

import { PassThrough } from 'node:stream';
import { Context } from '@support/context';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyExit, describeExit } from '../src/arbiter/exit-cause.js';
import { prefixLines } from '../src/arbiter/output.js';
import { Slot } from '../src/arbiter/slot.js';
import { WORKER_ID_ENV } from '../src/env.js';
import { Arbiter, codes, isWorker, PreforkError, workerId } from '../src/index.js';

const worker = () => {};
const contexts: Context[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
function ctx(config?: ConstructorParameters<typeof Context>[0]): Context {
  const c = new Context({ watchdog: false, monitoring: false, ...config });
  contexts.push(c);
  return c;
}

function invalid(options: unknown, message: RegExp): void {
  let error: unknown;
  try {
    new Arbiter(options as never);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PreforkError);
  expect((error as PreforkError).code).toBe(codes.INVALID_OPTION);
  expect((error as Error).message).toMatch(message);
}

describe('Arbiter options', () => {
  it('takes its defaults from the Context configuration', () => {
    const context = ctx({
      config: {
        numWorkers: 3,
        maxConcurrentClients: 7,
        acceptQueueMaxlen: 5,
        workerMemLimit: 1234,
      },
    });
    const a = new Arbiter({ worker, context });
    expect(a.options).toMatchObject({
      workers: 3,
      maxClients: 7,
      acceptQueueMaxlen: 5,
      memoryLimit: 1234,
      heartbeatTimeout: 10_000,
      startTimeout: 60_000,
      gracefulTimeout: 30_000,
      upgradeTimeout: 60_000,
      distribution: 'arbiter',
      listen: [],
    });
    const b = new Arbiter({ worker, context, workers: 2, listen: [{ port: 0 }] });
    expect(b.options.workers).toBe(2);
    expect(b.options.listen).toEqual([
      { port: 0, host: '0.0.0.0', path: undefined, fd: undefined, protocol: 'http', backlog: 511 },
    ]);
  });

  it('rejects bad values with messages that name the option', () => {
    invalid(undefined, /^options must be an object/);
    invalid({}, /options\.worker must be a function/);
    invalid({ worker, bogus: 1 }, /options\.bogus is not a known option/);
    invalid(
      { worker, maxClient: 1 },
      /options\.maxClient is not a known option; did you mean "maxClients"\?/,
    );
    invalid({ worker, workers: 0 }, /options\.workers must be a positive integer/);
    invalid({ worker, maxClients: 1.5 }, /options\.maxClients must be a positive integer/);
    invalid({ worker, listen: {} }, /options\.listen must be an array/);
    invalid({ worker, listen: [{}] }, /options\.listen\[0\] needs exactly one of port, path or fd/);
    invalid({ worker, listen: [{ port: 70000 }] }, /options\.listen\[0\]\.port must be an integer/);
    invalid(
      { worker, listen: [{ port: 1, protocol: 'udp' }] },
      /options\.listen\[0\]\.protocol must be one of/,
    );
    invalid(
      { worker, listen: [{ port: 1, extra: 1 }] },
      /options\.listen\[0\]\.extra is not a known option/,
    );
    invalid(
      { worker, heartbeatInterval: 500, heartbeatTimeout: 500 },
      /options\.heartbeatTimeout must be longer/,
    );
    invalid(
      { worker, gracefulTimeout: -1 },
      /options\.gracefulTimeout must be a positive number of milliseconds/,
    );
    invalid({ worker, limitJitter: 1 }, /options\.limitJitter must be a number from 0/);
    invalid(
      { worker, distribution: 'random' },
      /options\.distribution must be one of 'arbiter', 'kernel'/,
    );
    invalid(
      { worker, backoffInitial: 500, backoffMax: 100 },
      /options\.backoffMax must be at least/,
    );
    invalid({ worker, signals: 'yes' }, /options\.signals must be a boolean/);
    invalid({ worker, context: {} }, /options\.context must be a Context/);
  });

  it('stop() before start() settles, and status() is plain JSON', async () => {
    const a = new Arbiter({ worker, context: ctx() });
    expect(JSON.parse(JSON.stringify(a.status()))).toMatchObject({
      phase: 'idle',
      workers: [],
      listen: [],
    });
    await a.stop();
    await expect(a.started()).rejects.toMatchObject({ code: codes.CLOSED });
    await expect(a.start()).rejects.toMatchObject({ code: codes.CLOSED });
  });
});

describe('isWorker() / workerId()', () => {
  it('read the worker id the arbiter puts in the environment', () => {
    expect(isWorker()).toBe(false);
    expect(workerId()).toBeUndefined();
    process.env[WORKER_ID_ENV] = '3';
    try {
      expect(isWorker()).toBe(true);
      expect(workerId()).toBe(3);
    } finally {
      delete process.env[WORKER_ID_ENV];
    }
  });
});

describe('exit causes', () => {
  it('classify exits, signals, and a SIGKILL nobody here sent as likely OOM', () => {
    expect(classifyExit(1, null, null, false, true, 5)).toMatchObject({ kind: 'exit', code: 1 });
    expect(classifyExit(null, 'SIGSEGV', null, false, true, 5)).toMatchObject({ kind: 'signal' });
    const oom = classifyExit(null, 'SIGKILL', null, false, true, 5);
    expect(oom.kind).toBe('oom');
    expect(describeExit(oom)).toMatch(/likely the OOM killer/);
    const ours = classifyExit(null, 'SIGKILL', 'heartbeat', true, true, 5);
    expect(ours.kind).toBe('signal');
    expect(describeExit(ours)).toBe('signal SIGKILL (heartbeat)');
  });
});

describe('restart backoff', () => {
  it('restarts at once after a first death, then doubles per young death up to backoffMax', () => {
    const a = new Arbiter({ worker, context: ctx(), backoffInitial: 100, backoffMax: 1000 });
    const slot = new Slot(0);
    const young = classifyExit(1, null, null, false, true, 50);
    const delays = Array.from({ length: 7 }, () => slot.nextDelay(young, a.options));
    expect(delays).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
    // A worker that lived long resets the sequence.
    expect(slot.nextDelay(classifyExit(1, null, null, false, true, 60_000), a.options)).toBe(0);
  });
});

describe('worker output', () => {
  it('is copied line by line with a prefix, partial last line included', async () => {
    const from = new PassThrough();
    const to = new PassThrough();
    let out = '';
    to.on('data', (c) => {
      out += c;
    });
    prefixLines(from, to, '[worker 1 pid 9] ');
    from.write('a\nb');
    from.write('c\nd');
    from.end();
    await new Promise((r) => setImmediate(r));
    expect(out).toBe('[worker 1 pid 9] a\n[worker 1 pid 9] bc\n[worker 1 pid 9] d\n');
  });
});

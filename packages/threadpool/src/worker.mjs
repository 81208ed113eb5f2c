// The entry every pool thread runs (piscina loads it and calls the default
// export once per task). It is plain JavaScript on purpose: a worker thread
// loads modules with Node's own loader, which cannot load TypeScript on
// Node 20, and this one file must work both from src/ (tests) and from dist/
// (the build copies it unchanged). It imports nothing but Node built-ins.
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';

// Wrappers check this flag at call time: inside a pool thread they run their
// function inline, so nested decorated calls pay the dispatch only once.
globalThis[Symbol.for('@support/threadpool:in-pool-thread')] = true;
const TASK = Symbol.for('@support/threadpool:task');

const preload = Array.isArray(workerData?.preload) ? workerData.preload : [];
const timeOrigin = performance.timeOrigin;

// The pool's numbered tasks (see registry.ts for the layout): calls name a
// task by its number; an entry this thread has not read yet is read on demand.
const registry = workerData?.registry instanceof SharedArrayBuffer ? workerData.registry : null;
const registryWords = registry === null ? null : new Int32Array(registry);
const refs = []; // [url, name] by number, as read so far
let registryAt = 4;
/** Task functions by number. */
const byId = [];

// Where results' times go (timings.ts); the main thread reads them after the reply.
const times =
  workerData?.timings instanceof SharedArrayBuffer ? new Float64Array(workerData.timings) : null;
/** The key that marks a thrown task error record (remote-error.ts checks it). */
const TASK_ERROR = '@support/threadpool:task-error';

/** Settles once every preload module is imported; null when there is nothing to wait for. */
let preloading =
  preload.length === 0
    ? null
    : (async () => {
        for (const url of preload) await import(url);
      })();

/** Task functions by module URL, then export name; task modules are static code, so this stays small. */
const handlers = new Map();

class TaskNotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TaskNotFoundError';
    this.code = 'SUP_ERR_THREADPOOL_TASK_NOT_FOUND';
  }
}

async function load(url, name) {
  if (preloading !== null) {
    await preloading;
    preloading = null;
  }
  let mod;
  try {
    mod = await import(url);
  } catch (error) {
    throw explainTypeScript(error, url);
  }
  let fn = mod[name];
  // A CommonJS module whose exports the ESM loader could not name statically.
  if (fn === undefined && mod.default != null) fn = mod.default[name];
  if (typeof fn !== 'function')
    throw new TaskNotFoundError(`${url} has no exported function named ${JSON.stringify(name)}`);
  // A decorated function: run its plain function (the wrapper would also run
  // it inline here, but this skips one hop).
  const handler = fn[TASK] === true && typeof fn.raw === 'function' ? fn.raw : fn;
  let byName = handlers.get(url);
  if (byName === undefined) handlers.set(url, (byName = new Map()));
  byName.set(name, handler);
  return handler;
}

/** The function of task number `id`, imported on first use in this thread. */
async function loadId(id) {
  const published = registryWords === null ? 0 : Atomics.load(registryWords, 0);
  while (refs.length < published) {
    const length = registryWords[registryAt >> 2];
    const key = Buffer.from(registry, registryAt + 4, length).toString('utf8');
    const newline = key.indexOf('\n');
    refs.push([key.slice(0, newline), key.slice(newline + 1)]);
    registryAt = (registryAt + 4 + length + 3) & ~3;
  }
  const ref = refs[id];
  if (ref === undefined) throw new Error(`task number ${id} is not in this pool's registry`);
  const fn = handlers.get(ref[0])?.get(ref[1]) ?? (await load(ref[0], ref[1]));
  byId[id] = fn;
  return fn;
}

/**
 * A TypeScript task module the thread cannot load gets an error that says
 * what to do instead of a bare ERR_UNKNOWN_FILE_EXTENSION: a loader the main
 * thread uses (`tsx`, `--import tsx`) does not reach pool threads.
 */
function explainTypeScript(error, url) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !/\.[cm]?ts$/.test(String(url))) return error;
  const explained = new Error(
    `${url} is TypeScript, which pool threads cannot load by themselves (a loader on the main thread, ` +
      'such as tsx or --import tsx, does not reach worker threads). Either point the task at the ' +
      "compiled .js file, or give the pool preload: [new URL('./ts-loader.mjs', import.meta.url)] " +
      "where ts-loader.mjs calls register() from 'tsx/esm/api' (and 'tsx/cjs/api' for CommonJS); " +
      'see the README, "The thread must be able to load the file"',
    { cause: error },
  );
  explained.code = error.code;
  return explained;
}

const STANDARD = new Set([
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
]);

/** A structured-clone-safe record of a thrown value, keeping what callers match on. */
function errorRecord(error, depth = 0) {
  if (typeof error !== 'object' || error === null) {
    return { name: 'Error', className: 'Error', message: String(error), thrown: typeof error };
  }
  const record = {
    name: typeof error.name === 'string' ? error.name : 'Error',
    className: typeof error.constructor?.name === 'string' ? error.constructor.name : 'Error',
    message: typeof error.message === 'string' ? error.message : String(error),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    props: {},
  };
  if (!STANDARD.has(record.className) && record.name === 'Error') {
    record.name = record.className;
    // The stack's first line was written with the old name.
    if (record.stack?.startsWith('Error')) record.stack = record.name + record.stack.slice(5);
  }
  for (const key of Object.keys(error)) {
    const value = error[key];
    if (key === 'cause' || value === null) continue;
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint')
      record.props[key] = value;
  }
  if (error.cause !== undefined && depth < 3) record.cause = errorRecord(error.cause, depth + 1);
  return record;
}

/**
 * Runs one call: `[task number, timing slot, ...arguments]`, or `{ u: module
 * URL, n: export name, s: timing slot, a: arguments }` for a task the
 * registry had no room for. A result comes back bare, its start (epoch ms)
 * and run time written to the slot (timings.ts); with no slot (-1) it comes
 * back as `[value, start, run time]`. A task's error is thrown as a plain
 * record carrying the times (see TASK_ERROR), so a rejection from piscina
 * with anything else means the thread itself failed. Not async: a known task
 * with a plain result is answered without a promise of ours in between.
 */
export default function runTask(call) {
  const t0 = performance.now();
  const numbered = Array.isArray(call);
  const fn = numbered ? byId[call[0]] : handlers.get(call.u)?.get(call.n);
  if (fn === undefined) return loadAndRun(call, numbered, t0);
  return runWith(fn, call, numbered, t0);
}

async function loadAndRun(call, numbered, t0) {
  let fn;
  try {
    fn = numbered ? await loadId(call[0]) : await load(call.u, call.n);
  } catch (error) {
    fail(error, t0);
  }
  return runWith(fn, call, numbered, t0);
}

function runWith(fn, call, numbered, t0) {
  let value;
  try {
    value = numbered ? callNumbered(fn, call) : fn(...call.a);
  } catch (error) {
    fail(error, t0);
  }
  const slot = numbered ? call[1] : call.s;
  // Only a thenable needs a turn of the microtask queue.
  if (value !== null && typeof value === 'object' && typeof value.then === 'function')
    return settle(value, slot, t0);
  return reply(value, slot, t0);
}

/** Calls `fn` with the arguments after the task number and slot, without copying them for the common counts. */
function callNumbered(fn, call) {
  switch (call.length) {
    case 2:
      return fn();
    case 3:
      return fn(call[2]);
    case 4:
      return fn(call[2], call[3]);
    default:
      return fn(...call.slice(2));
  }
}

async function settle(thenable, slot, t0) {
  let value;
  try {
    value = await thenable;
  } catch (error) {
    fail(error, t0);
  }
  return reply(value, slot, t0);
}

function reply(value, slot, t0) {
  const start = timeOrigin + t0;
  const duration = performance.now() - t0;
  if (slot < 0 || times === null) return [value, start, duration];
  times[2 * slot] = start;
  times[2 * slot + 1] = duration;
  return value;
}

/** Throws the task's error as data: piscina hands what a task throws to the main thread as it is. */
function fail(error, t0) {
  throw {
    [TASK_ERROR]: true,
    record: errorRecord(error),
    start: timeOrigin + t0,
    duration: performance.now() - t0,
  };
}

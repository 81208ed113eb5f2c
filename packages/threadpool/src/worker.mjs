// The entry every pool thread runs (piscina loads it and calls the default
// export once per task). It is plain JavaScript on purpose: a worker thread
// loads modules with Node's own loader, which cannot load TypeScript on
// Node 20, and this one file must work both from src/ (tests) and from dist/
// (the build copies it unchanged). It imports nothing but Node built-ins.
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';

// Wrappers check this flag at call time: inside a pool thread they run their
// function inline, so nested decorated calls pay the dispatch only once.
globalThis[Symbol.for('@support/threadpool:in-pool-thread')] = true;
const TASK = Symbol.for('@support/threadpool:task');

const preload = Array.isArray(workerData?.preload) ? workerData.preload : [];
const timeOrigin = performance.timeOrigin;

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
 * Runs one call: `{ u: module URL, n: export name, a: arguments }`. Returns
 * `[ok, value or error record, start (epoch ms), run time (ms)]`, so task
 * errors travel as data and a rejection from piscina always means the
 * thread itself failed.
 */
export default async function runTask(call) {
  const t0 = performance.now();
  try {
    const fn = handlers.get(call.u)?.get(call.n) ?? (await load(call.u, call.n));
    let value = fn(...call.a);
    // Only a thenable needs a turn of the microtask queue.
    if (value !== null && typeof value === 'object' && typeof value.then === 'function')
      value = await value;
    return [true, value, timeOrigin + t0, performance.now() - t0];
  } catch (error) {
    return [false, errorRecord(error), timeOrigin + t0, performance.now() - t0];
  }
}

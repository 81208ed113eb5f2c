// Source of the watchdog's worker thread, kept as plain JavaScript text so it
// runs the same from src/ (tests), from the ESM build and from the CJS build
// without resolving a separate file. It is evaluated with `eval: true`, which
// gives it CommonJS `require`.
//
// The worker reads the heartbeat the main thread writes into shared memory
// (layout in watchdog.ts). While the loop is healthy it sleeps in
// Atomics.wait on the control word until the first moment a block could need
// attention, so it wakes about once per `threshold + period` and never runs
// its own event loop. When the beat gets old it switches to an asynchronous
// mode: it connects an inspector session to the main thread
// (connectToMainThread, no debugger port), asks it to pause, copies the call
// frames, resumes at once, and disconnects again. A session exists only for
// the few milliseconds around a capture, so a process that exits while
// healthy has no session open, and Node never prints "Waiting for the
// debugger to disconnect..." for it.
export const WATCHDOG_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const now = () => performance.timeOrigin + performance.now();
const f64 = new Float64Array(workerData.buffer, 0, 2);
const i32 = new Int32Array(workerData.buffer, 16, 2);
const BEAT = 0, PERIOD = 1, CONTROL = 0, SESSION = 1;
const RUN = 0, STOP = 1, EXIT = 2;
const { threshold, reportInterval, captureTimeout, maxFrames } = workerData;
// While a block is suspected or going on the worker polls the beat this often.
const pollPeriod = Math.max(2, Math.min(10, threshold / 10));

let inspector = null;
let sessionError = null;
if (workerData.captureStacks) {
  try {
    inspector = require('node:inspector');
    if (typeof inspector.Session.prototype.connectToMainThread !== 'function') throw new Error('this Node.js has no connectToMainThread');
  } catch (error) {
    inspector = null;
    sessionError = String((error && error.message) || error);
  }
}

let session = null;
let block = null;
let lastCaptureAt = -Infinity;
let lastArmAt = -Infinity;
let armed = null;
let pending = null;
let capturing = false;
let finished = false;
// Debugger.enable announces every script; frames name scripts by id, and
// their url field can be empty, so keep the ids' urls for the capture only.
let scriptUrls = null;

function connect() {
  if (session !== null) return session;
  const s = new inspector.Session();
  s.connectToMainThread();
  s.on('Debugger.paused', onPaused);
  s.on('Debugger.scriptParsed', onScriptParsed);
  session = s;
  Atomics.store(i32, SESSION, 1);
  return s;
}

// Ends the session from this side while both threads are running: Node 20
// aborts (MainThreadInterface::Post) when a session is dropped as its worker
// exits, so no session may outlive the moment it is needed.
function disconnect() {
  const s = session;
  session = null;
  scriptUrls = null;
  if (s !== null) {
    try { s.disconnect(); } catch {}
  }
  Atomics.store(i32, SESSION, 0);
  Atomics.notify(i32, SESSION);
}

function onScriptParsed(message) {
  if (scriptUrls !== null) scriptUrls.set(message.params.scriptId, message.params.url);
}

function onPaused(message) {
  const pausedAt = now();
  // Resume before anything else: the main thread must never stay paused.
  if (session !== null) session.post('Debugger.resume', () => {});
  if (pending === null) return;
  const done = pending;
  pending = null;
  // The main thread cannot write the beat while it is paused, so a changed
  // beat means the block ended first and these frames belong to other code.
  if (f64[BEAT] !== done.beat) return done.resolve({ frames: null, error: 'the block ended before the stack was taken' });
  const frames = message.params.callFrames.slice(0, maxFrames).map((f) => ({
    functionName: f.functionName,
    url: f.url || (scriptUrls && scriptUrls.get(f.location.scriptId)) || '',
    lineNumber: f.location.lineNumber + 1,
    columnNumber: (f.location.columnNumber || 0) + 1,
  }));
  // Paused in Node's own code only (processTimers, ...): the block had ended
  // and the loop had not yet come to the heartbeat callback.
  if (frames.length > 0 && frames.every((f) => f.url.startsWith('node:'))) {
    return done.resolve({ frames: null, error: 'the block ended before the stack was taken' });
  }
  done.resolve({ frames, error: null, capturedAt: pausedAt });
}

// A reply that does not come within \`ms\` (a main thread stuck in native
// code) is given up on, so that no report ever waits for it.
function within(promise, ms) {
  let timer = null;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, ms); });
  return Promise.race([promise.catch(() => {}), late]).finally(() => clearTimeout(timer));
}

function post(method, params) {
  return new Promise((resolve, reject) => {
    if (session === null) return reject(new Error('no inspector session'));
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// Debugger.enable makes the main thread announce every script it has, which
// takes a while in a large program, so the worker "arms" (connects and sends
// Debugger.enable) half a heartbeat period before a block can be proven;
// then only the pause is left to do. A loop that recovers first is disarmed.
function arm(beatValue, t) {
  lastArmAt = t;
  try {
    connect();
  } catch (error) {
    sessionError = String((error && error.message) || error);
    return;
  }
  scriptUrls = new Map();
  armed = { beat: beatValue, enabled: post('Debugger.enable').catch((error) => error) };
}

function disarm() {
  const a = armed;
  armed = null;
  // Disabling also cancels a pause that was requested but not yet taken.
  return within(a.enabled.then(() => post('Debugger.disable')), captureTimeout).then(disconnect);
}

async function capture(expectedBeat) {
  const started = now();
  let result = { frames: null, error: null };
  let timeout = null;
  let a = armed !== null && armed.beat === expectedBeat ? armed : null;
  armed = null;
  try {
    if (a === null) {
      connect();
      scriptUrls = new Map();
      a = { enabled: post('Debugger.enable').catch((error) => error) };
    }
    const paused = new Promise((resolve) => { pending = { resolve, beat: expectedBeat }; });
    // The timeout covers the whole exchange: code blocked in a native call
    // handles no inspector message at all until the call returns.
    const timedOut = new Promise((resolve) => {
      timeout = setTimeout(() => resolve({ frames: null, error: 'the main thread did not pause within ' + captureTimeout + ' ms (blocked in native code?)' }), captureTimeout);
    });
    // Sent together so the main thread handles both in one interrupt.
    const requested = Promise.all([a.enabled, post('Debugger.pause')]).then((outcome) => {
      if (outcome[0] instanceof Error) throw outcome[0];
      return paused;
    });
    result = await Promise.race([requested, timedOut]);
  } catch (error) {
    result = { frames: null, error: String((error && error.message) || error) };
  } finally {
    clearTimeout(timeout);
    pending = null;
    await within(post('Debugger.disable'), captureTimeout);
    disconnect();
  }
  // The stack was in hand when the pause arrived; ending the session comes after.
  const capturedAt = result.capturedAt || now();
  return { frames: result.frames, error: result.error, capturedAt, captureMs: capturedAt - started };
}

// Posts at once when the capture is done: the caller may go on to sleep in
// Atomics.wait, where no promise callback runs.
function report(b, end) {
  if (b.capture !== null && b.result === null) return b.capture.then(() => report(b, end));
  const c = b.result;
  parentPort.postMessage({
    type: 'long-block',
    start: b.start,
    end,
    detectedAt: b.detectedAt,
    capturedAt: c ? c.capturedAt : null,
    captureMs: c ? c.captureMs : null,
    frames: c ? c.frames : null,
    error: c ? c.error : (b.suppressed ? 'rate-limited' : sessionError),
  });
}

// One look at the beat. Returns the ms to sleep synchronously before the next
// look, or -1 when the worker has something in flight (a session, a block)
// and must keep its event loop turning; then it looks again in \`asyncIn\` ms.
let asyncIn = pollPeriod;
function check() {
  asyncIn = pollPeriod;
  const last = f64[BEAT];
  const period = f64[PERIOD];
  const t = now();
  const age = t - last;
  if (block !== null) {
    if (last === block.start) return -1;
    const b = block;
    block = null;
    report(b, last);
  }
  if (armed !== null) {
    if (armed.beat === last) {
      // Past threshold + one period the block is proven: only then is the
      // block certainly longer than the threshold (the last beat may have
      // come up to a period before it began).
      if (age <= threshold + period) {
        asyncIn = Math.max(1, Math.min(pollPeriod, threshold + period - age + 0.5));
        return -1;
      }
    } else {
      disarm();
      return -1;
    }
  }
  const mayCapture = inspector !== null && !capturing && t - lastCaptureAt >= reportInterval;
  if (age > threshold + period) {
    block = { start: last, detectedAt: t, capture: null, suppressed: false, result: null };
    if (mayCapture) {
      lastCaptureAt = t;
      capturing = true;
      const b = block;
      b.capture = capture(last).then((c) => { b.result = c; }).finally(() => { capturing = false; });
    } else {
      block.suppressed = inspector !== null;
      if (armed !== null) disarm();
    }
    return -1;
  }
  const armAt = threshold + period / 2;
  if (age > armAt && armed === null && mayCapture && t - lastArmAt >= reportInterval) {
    arm(last, t);
    return -1;
  }
  // Sleep until the next moment that needs a look: the arming point, or the
  // proof point when arming is rate-limited.
  const next = age <= armAt ? armAt : threshold + period;
  return Math.max(1, next - age + 1);
}

let timer = null;
function loop() {
  timer = null;
  for (;;) {
    if (Atomics.load(i32, CONTROL) !== RUN) return finish();
    const sleep = check();
    if (sleep < 0 || session !== null || capturing) {
      timer = setTimeout(loop, asyncIn);
      return;
    }
    Atomics.wait(i32, CONTROL, RUN, sleep);
  }
}

async function finish() {
  if (finished) return;
  finished = true;
  if (timer !== null) clearTimeout(timer);
  if (session !== null) {
    await within(post('Debugger.disable'), captureTimeout);
    disconnect();
  }
  if (Atomics.load(i32, CONTROL) === STOP) parentPort.postMessage({ type: 'stopped' });
}

parentPort.postMessage({ type: 'ready', captureStacks: inspector !== null, sessionError });
loop();
`;

// Source of the watchdog's worker thread, kept as plain JavaScript text so it
// runs the same from src/ (tests), from the ESM build and from the CJS build
// without resolving a separate file. It is evaluated with `eval: true`, which
// gives it CommonJS `require`.
//
// The worker reads the heartbeat the main thread writes into shared memory.
// When the beat is older than the threshold it asks the main thread's V8
// inspector (a session connected with connectToMainThread, no debugger port)
// to pause, copies the call frames and resumes at once. Debugger.enable is
// sent only for the capture and Debugger.disable right after, so a healthy
// loop pays nothing but the heartbeat timer.
export const WATCHDOG_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData, isMainThread } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const now = () => performance.timeOrigin + performance.now();
const beat = new Float64Array(workerData.buffer);
const { threshold, beatPeriod, checkPeriod, reportInterval, captureTimeout, maxFrames } = workerData;

let session = null;
let sessionError = null;
if (workerData.captureStacks) {
  try {
    const inspector = require('node:inspector');
    session = new inspector.Session();
    session.connectToMainThread();
    session.on('Debugger.paused', onPaused);
    session.on('Debugger.scriptParsed', onScriptParsed);
  } catch (error) {
    session = null;
    sessionError = String((error && error.message) || error);
  }
}

let block = null;
let capturing = false;
let lastCaptureAt = -Infinity;
let pending = null;
let stopped = false;
let timer = null;
// Debugger.enable announces every script; frames name scripts by id, and
// their url field can be empty, so keep the ids' urls for the capture only.
let scriptUrls = null;

function onScriptParsed(message) {
  if (scriptUrls !== null) scriptUrls.set(message.params.scriptId, message.params.url);
}

function onPaused(message) {
  // Resume before anything else: the main thread must never stay paused.
  session.post('Debugger.resume', () => {});
  if (pending === null) return;
  const done = pending;
  pending = null;
  // The main thread cannot write the beat while it is paused, so a changed
  // beat means the block ended first and these frames belong to other code.
  if (beat[0] !== done.beat) return done.resolve({ frames: null, error: 'the block ended before the stack was taken' });
  const frames = message.params.callFrames.slice(0, maxFrames).map((f) => ({
    functionName: f.functionName,
    url: f.url || (scriptUrls && scriptUrls.get(f.location.scriptId)) || '',
    lineNumber: f.location.lineNumber + 1,
    columnNumber: (f.location.columnNumber || 0) + 1,
  }));
  done.resolve({ frames, error: null });
}

function post(method, params) {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// Debugger.enable makes the main thread announce every script it has, which
// takes tens of milliseconds in a large program. So the worker "arms" (sends
// Debugger.enable) once the loop has been blocked for half the threshold;
// when the threshold passes, only the pause is left to do. A loop that
// recovers before the threshold is disarmed (Debugger.disable). Arming is
// rate-limited like captures, so a healthy loop pays nothing and a jittery
// one little.
let armed = null;
let lastArmAt = -Infinity;

function arm(beatValue, t) {
  lastArmAt = t;
  scriptUrls = new Map();
  armed = { beat: beatValue, enabled: post('Debugger.enable').catch((error) => error) };
}

function disarm() {
  const a = armed;
  armed = null;
  scriptUrls = null;
  a.enabled.then(() => post('Debugger.disable')).catch(() => {});
}

async function capture(expectedBeat) {
  const started = now();
  let result = { frames: null, error: null };
  let timeout = null;
  const a = armed !== null && armed.beat === expectedBeat ? armed : null;
  armed = null;
  if (a === null) scriptUrls = new Map();
  try {
    const paused = new Promise((resolve) => { pending = { resolve, beat: expectedBeat }; });
    // The timeout covers the whole exchange: code blocked in a native call
    // handles no inspector message at all until the call returns.
    const timedOut = new Promise((resolve) => {
      timeout = setTimeout(() => resolve({ frames: null, error: 'the main thread did not pause within ' + captureTimeout + ' ms (blocked in native code?)' }), captureTimeout);
    });
    // Sent together so the main thread handles both in one interrupt.
    const enabled = a !== null ? a.enabled : post('Debugger.enable');
    const requested = Promise.all([enabled, post('Debugger.pause')]).then((outcome) => {
      if (outcome[0] instanceof Error) throw outcome[0];
      return paused;
    });
    result = await Promise.race([requested, timedOut]);
  } catch (error) {
    result = { frames: null, error: String((error && error.message) || error) };
  } finally {
    clearTimeout(timeout);
    pending = null;
    scriptUrls = null;
    // Disabling also cancels a pause that was requested but not yet taken.
    try { await post('Debugger.disable'); } catch {}
  }
  const capturedAt = now();
  return { frames: result.frames, error: result.error, capturedAt, captureMs: capturedAt - started };
}

function check() {
  timer = null;
  if (stopped) return;
  const last = beat[0];
  const t = now();
  const age = t - last;
  if (block === null) {
    if (armed !== null && armed.beat !== last) disarm();
    const mayCapture = session !== null && !capturing && t - lastCaptureAt >= reportInterval;
    if (mayCapture && armed === null && age > threshold / 2 && t - lastArmAt >= reportInterval) arm(last, t);
    // One beat period of slack: the last beat may have come up to a period
    // before the block began, so only an age past threshold + period proves
    // a block longer than the threshold.
    if (age > threshold + beatPeriod) {
      block = { start: last, detectedAt: t, capture: null, suppressed: false };
      if (mayCapture) {
        capturing = true;
        lastCaptureAt = t;
        const b = block;
        b.capture = capture(last).then((c) => { b.result = c; }).finally(() => { capturing = false; });
      } else {
        block.suppressed = session !== null;
      }
    }
  } else if (last !== block.start) {
    const b = block;
    block = null;
    Promise.resolve(b.capture).then(() => {
      const c = b.result || null;
      parentPort.postMessage({
        type: 'long-block',
        start: b.start,
        end: last,
        detectedAt: b.detectedAt,
        capturedAt: c ? c.capturedAt : null,
        captureMs: c ? c.captureMs : null,
        frames: c ? c.frames : null,
        error: c ? c.error : (b.suppressed ? 'rate-limited' : sessionError),
      });
    });
  }
  timer = setTimeout(check, checkPeriod);
}

parentPort.on('message', async (message) => {
  if (message !== 'stop') return;
  stopped = true;
  if (timer !== null) clearTimeout(timer);
  if (session !== null) {
    try { await post('Debugger.disable'); } catch {}
    // No session.disconnect() here: Node 20 can abort when the main thread
    // drops a worker's session while that worker is exiting. The session
    // ends with the worker, which the main thread terminates next.
  }
  parentPort.postMessage({ type: 'stopped' });
});

parentPort.postMessage({ type: 'ready', captureStacks: session !== null, sessionError, isMainThread });
check();
`;

import type net from 'node:net';

// Node's http and https servers check requestTimeout and headersTimeout from
// an interval that their own 'listening' listener (setupConnectionsTracking
// in lib/_http_server.js) starts. A server fed handed-over connections never
// listens, so the checks never ran. Calling that listener directly starts them
// without emitting 'listening', which the app's own listeners could take for a
// real listen.

const SETUP = 'setupConnectionsTracking';
const INTERVAL = 'http.server.connectionsCheckingInterval';

/**
 * Starts the server's requestTimeout/headersTimeout checks, once however often
 * it is called (a Group's server is started by Group and again by the worker
 * that serves it); false when it has none (not an http(s) server).
 */
export function startHttpTimeouts(server: net.Server): boolean {
  const setup = server.listeners('listening').find((fn) => fn.name === SETUP);
  if (setup === undefined) return false;
  if (checkingInterval(server) === undefined) setup.call(server);
  return true;
}

function intervalKey(server: net.Server): symbol | undefined {
  return Object.getOwnPropertySymbols(server).find((s) => s.description === INTERVAL);
}

function checkingInterval(server: net.Server): NodeJS.Timeout | undefined {
  const key = intervalKey(server);
  const timer =
    key === undefined
      ? undefined
      : (server as unknown as Record<symbol, NodeJS.Timeout | undefined>)[key];
  // A cleared interval stays in place (marked destroyed); only a live one counts.
  return timer !== undefined && !(timer as unknown as { _destroyed?: boolean })._destroyed
    ? timer
    : undefined;
}

/** Stops the checks startHttpTimeouts started (server.close() would too, but it also closes idle keep-alive connections at once). */
export function stopHttpTimeouts(server: net.Server): void {
  const timer = checkingInterval(server);
  if (timer !== undefined) clearInterval(timer);
}

import type net from 'node:net';

// Node's http and https servers check requestTimeout and headersTimeout from
// an interval that their own 'listening' listener (setupConnectionsTracking
// in lib/_http_server.js) starts. A server fed handed-over connections never
// listens, so the checks never ran. Calling that listener directly starts them
// without emitting 'listening', which the app's own listeners could take for a
// real listen.

const SETUP = 'setupConnectionsTracking';
const INTERVAL = 'http.server.connectionsCheckingInterval';

/** Starts the server's requestTimeout/headersTimeout checks; false when it has none (not an http(s) server). */
export function startHttpTimeouts(server: net.Server): boolean {
  const setup = server.listeners('listening').find((fn) => fn.name === SETUP);
  if (setup === undefined) return false;
  setup.call(server);
  return true;
}

/** Stops the checks startHttpTimeouts started (server.close() would too, but it also closes idle keep-alive connections at once). */
export function stopHttpTimeouts(server: net.Server): void {
  const key = Object.getOwnPropertySymbols(server).find((s) => s.description === INTERVAL);
  if (key === undefined) return;
  const timer = (server as unknown as Record<symbol, NodeJS.Timeout | undefined>)[key];
  if (timer !== undefined) clearInterval(timer);
}

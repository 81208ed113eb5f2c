import { channel } from 'node:diagnostics_channel';

// Payloads are built only when someone subscribes (check `hasSubscribers` first).

/** `{ address, ip, kind, tls, ms }` when a new connection is ready (DNS + TCP + TLS done). */
export const connectChannel = channel('support:connmgr:connect');
/** `{ address, kind, error, ms }` when one connection attempt fails. */
export const connectErrorChannel = channel('support:connmgr:connect-error');
/** `{ address, until, error }` when an address is marked down; `{ address, until: 0 }` when it is back. */
export const markdownChannel = channel('support:connmgr:markdown');
/** `{ address, kind, action, reason? }` for pool traffic: `reuse`, `release`, `discard`, `cull`. */
export const poolChannel = channel('support:connmgr:pool');
/** `{ host, result }` for every DNS cache lookup of a name: `hit`, `stale`, `miss`, `negative`. */
export const dnsChannel = channel('support:connmgr:dns');
/** `{ attempt, event, error? }` from staggeredRetries: `start`, `fail`, `win`. */
export const hedgeChannel = channel('support:connmgr:hedge');

import diagnostics from 'node:diagnostics_channel';

/** `support:core:app-error`: { entry, kind: 'http' | 'tcp', error } when an app or TCP handler throws synchronously. */
export const appErrorChannel = diagnostics.channel('support:core:app-error');
/** `support:core:plain-on-tls`: { entry, remoteAddress } when a plain-HTTP request reaches a TLS-only address. */
export const plainOnTlsChannel = diagnostics.channel('support:core:plain-on-tls');
/** `support:core:state`: { state, pid } when a Group changes state (starting, running, stopping, stopped). */
export const stateChannel = diagnostics.channel('support:core:state');

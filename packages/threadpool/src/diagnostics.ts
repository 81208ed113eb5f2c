import diagnostics_channel from 'node:diagnostics_channel';

// Channels published by this package. Payloads are built only when someone
// subscribes (`hasSubscribers`), so an unobserved channel costs one check.

/** A call rejected because the queue was full; payload `{ pool, task, pending }`. */
export const dropChannel = diagnostics_channel.channel('support:threadpool:drop');
/** A call finished; payload `{ pool, task, ok, queuedMs, durationMs }`. */
export const doneChannel = diagnostics_channel.channel('support:threadpool:done');
/** A pool thread failed or exited unexpectedly; payload `{ pool, error }`. */
export const workerErrorChannel = diagnostics_channel.channel('support:threadpool:worker-error');

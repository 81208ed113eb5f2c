import diagnostics_channel from 'node:diagnostics_channel';

// Channels published by this package. Payloads are built only when someone
// subscribes (`hasSubscribers`), so an unobserved channel costs one check.

/** Every finished action record (a {@link LogRecord}). */
export const logChannel = diagnostics_channel.channel('support:context:log');
/** A long event-loop block the watchdog observed (a {@link LongBlockReport}). */
export const longBlockChannel = diagnostics_channel.channel('support:context:long-block');
/** A sink threw; payload `{ sink, error }`. */
export const sinkErrorChannel = diagnostics_channel.channel('support:context:sink-error');

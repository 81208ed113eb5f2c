import { channel } from 'node:diagnostics_channel';

// Payloads are built only when someone subscribes (check `hasSubscribers` first).

/** `{ socket, operation, timeout, buffered }` when an operation misses its deadline. */
export const timeoutChannel = channel('support:bufsock:timeout');
/** `{ socket, operation, maxsize, buffered }` when a message exceeds its maxsize. */
export const messageTooLongChannel = channel('support:bufsock:message-too-long');
/** `{ socket, paused, buffered }` when the socket is paused (buffer full) or resumed. */
export const backpressureChannel = channel('support:bufsock:backpressure');
/** `{ socket, reason }` when a BufferedSocket is closed or detached. */
export const closeChannel = channel('support:bufsock:close');

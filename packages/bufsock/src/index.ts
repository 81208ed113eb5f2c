export {
  BufferedSocket,
  type DetachedSocket,
  type SendData,
} from './buffered-socket.js';
export {
  BufsockError,
  ConnectionClosedError,
  InvalidOptionError,
  MessageTooLongError,
  NetstringInvalidSizeError,
  NetstringMessageTooLongError,
  NetstringProtocolError,
  ReceivePendingError,
  TimeoutError,
} from './errors.js';
export { NetstringSocket, type NetstringSocketOptions } from './netstring-socket.js';
export {
  type BufferedSocketOptions,
  bufferedSocketDefaults,
  type OperationOptions,
  type RecvUntilOptions,
  type SizedOperationOptions,
} from './options.js';

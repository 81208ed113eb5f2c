import type { Duplex } from 'node:stream';
import { type Attempt, BufferedSocket, NOT_READY, type SendData } from './buffered-socket.js';
import {
  NetstringInvalidSizeError,
  NetstringMessageTooLongError,
  NetstringProtocolError,
} from './errors.js';
import { type BufferedSocketOptions, checkSize, type SizedOperationOptions } from './options.js';

/** Most digits of an over-long length prefix that an error reports. */
const MAX_REPORTED_DIGITS = 40;

/** Options for {@link NetstringSocket}; `maxsize` limits each payload. */
export type NetstringSocketOptions = BufferedSocketOptions;

const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Netstrings (`<decimal length>:<payload>,`) over a {@link BufferedSocket}.
 * A netstring is consumed only once it is complete, so a timeout, abort or
 * error at any stage leaves every byte buffered.
 */
export class NetstringSocket<S extends Duplex = Duplex> extends BufferedSocket<S> {
  /** Reads one netstring and resolves with its payload. */
  readNetstring(options?: SizedOperationOptions): Promise<Buffer> {
    let maxsize: number;
    try {
      maxsize = this.payloadMaxsize(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const state = { need: 1 };
    return this.receive(
      'readNetstring',
      this.netstringAttempt(maxsize, state),
      () => state.need,
      options,
    );
  }

  /** Synchronous {@link readNetstring}: the payload if a whole netstring is buffered, else `undefined`. */
  tryReadNetstring(options?: Pick<SizedOperationOptions, 'maxsize'>): Buffer | undefined {
    const maxsize = this.payloadMaxsize(options);
    return this.trySync('tryReadNetstring', this.netstringAttempt(maxsize, { need: 1 }));
  }

  /** Writes `payload` as one netstring; rejects with NetstringMessageTooLongError past `maxsize`. */
  writeNetstring(payload: SendData, options?: SizedOperationOptions): Promise<number> {
    let maxsize: number;
    try {
      maxsize = this.payloadMaxsize(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (size > maxsize) return Promise.reject(new NetstringMessageTooLongError(size, maxsize));
    return this.sendMany([`${size}:`, payload, ','], options);
  }

  private payloadMaxsize(options: Pick<SizedOperationOptions, 'maxsize'> | undefined): number {
    const maxsize = options?.maxsize ?? this.options.maxsize;
    checkSize(maxsize, 'options.maxsize');
    return maxsize;
  }

  /**
   * The error for a length prefix past `maxsize`, reporting the length as
   * announced: the digits buffered, up to {@link MAX_REPORTED_DIGITS} (then
   * marked `…`, as when the buffer ends before the colon).
   */
  private tooLong(maxsize: number): NetstringMessageTooLongError {
    const rbuf = this.rbuf;
    const limit = Math.min(rbuf.length, MAX_REPORTED_DIGITS);
    let digits = '';
    let i = 0;
    for (; i < limit; i++) {
      const byte = rbuf.byteAt(i);
      if (byte < ZERO || byte > NINE) break;
      digits += String.fromCharCode(byte);
    }
    const complete = i < rbuf.length && rbuf.byteAt(i) === COLON;
    return new NetstringMessageTooLongError(
      Number(digits),
      maxsize,
      complete ? digits : `${digits}…`,
    );
  }

  private netstringAttempt(maxsize: number, state: { need: number }): Attempt<Buffer> {
    const maxDigits = String(maxsize).length;
    return () => {
      const rbuf = this.rbuf;
      const scan = Math.min(rbuf.length, maxDigits + 1);
      let colon = -1;
      let size = 0;
      for (let i = 0; i < scan; i++) {
        const byte = rbuf.byteAt(i);
        if (byte === COLON) {
          colon = i;
          break;
        }
        if (byte < ZERO || byte > NINE) {
          throw new NetstringInvalidSizeError(
            `netstring length contains byte 0x${byte.toString(16).padStart(2, '0')} at offset ${i}`,
          );
        }
        if (i === 1 && rbuf.byteAt(0) === ZERO) {
          throw new NetstringInvalidSizeError('netstring length has a leading zero');
        }
        size = size * 10 + (byte - ZERO);
      }
      if (colon === 0) throw new NetstringInvalidSizeError('netstring length is empty');
      if (colon === -1) {
        // maxDigits + 1 digits without a colon: the length is beyond maxsize.
        if (scan > maxDigits) throw this.tooLong(maxsize);
        state.need = maxDigits + 1;
        if (this.atEnd) throw this.endError('readNetstring (in the length)');
        return NOT_READY;
      }
      if (size > maxsize) throw this.tooLong(maxsize);
      const total = colon + 1 + size + 1;
      if (rbuf.length < total) {
        state.need = total;
        if (this.atEnd) throw this.endError('readNetstring (in the payload)');
        return NOT_READY;
      }
      if (rbuf.byteAt(total - 1) !== COMMA) {
        throw new NetstringProtocolError(`netstring of ${size} bytes is not followed by ","`);
      }
      rbuf.skip(colon + 1);
      const payload = rbuf.take(size);
      rbuf.skip(1);
      return payload;
    };
  }
}

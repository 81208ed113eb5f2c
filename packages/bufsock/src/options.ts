import { didYouMean } from './closest.js';
import { InvalidOptionError } from './errors.js';

/** Options for {@link BufferedSocket}. */
export interface BufferedSocketOptions {
  /**
   * Default deadline of each operation in milliseconds, counted from the call
   * (time spent queued behind earlier operations included). `Infinity`
   * disables it. Independent of the socket's own idle timeout.
   * @default 10_000
   */
  timeout?: number;
  /**
   * Default limit for `recvUntil` and `recvClose`, and the size of the receive
   * buffer at which the socket is paused (backpressure to the peer) while no
   * operation needs more.
   * @default 32_768
   */
  maxsize?: number;
  /**
   * Default `size` for `recv()` when none is given.
   * @default 65_536
   */
  recvsize?: number;
}

/** Per-operation options shared by every receive and send. */
export interface OperationOptions {
  /**
   * Deadline in milliseconds for this operation; `Infinity` disables it.
   * @default the socket's `timeout`
   */
  timeout?: number;
  /** Aborting rejects the operation with `signal.reason`; nothing received is consumed. */
  signal?: AbortSignal;
}

/** Options of operations that are bounded in size. */
export interface SizedOperationOptions extends OperationOptions {
  /**
   * Most bytes the message may have (delimiter not counted).
   * @default the socket's `maxsize`
   */
  maxsize?: number;
}

/** Options of `recvUntil` / `tryRecvUntil`. */
export interface RecvUntilOptions extends SizedOperationOptions {
  /**
   * Include the delimiter in the result (it is consumed either way).
   * @default false
   */
  withDelimiter?: boolean;
}

export const bufferedSocketDefaults = {
  timeout: 10_000,
  maxsize: 32 * 1024,
  recvsize: 64 * 1024,
} as const satisfies Required<BufferedSocketOptions>;

export type ResolvedOptions = { -readonly [K in keyof typeof bufferedSocketDefaults]: number };

export function resolveOptions(options: BufferedSocketOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidOptionError('options must be an object');
  }
  const known = Object.keys(bufferedSocketDefaults);
  for (const key of Object.keys(options ?? {})) {
    if (!known.includes(key)) {
      throw new InvalidOptionError(`options.${key} is not an option${didYouMean(key, known)}`);
    }
  }
  const merged = { ...bufferedSocketDefaults, ...stripUndefined(options ?? {}) };
  checkTimeout(merged.timeout, 'options.timeout');
  checkSize(merged.maxsize, 'options.maxsize');
  checkSize(merged.recvsize, 'options.recvsize');
  return merged;
}

/** Longest delay a Node.js timer supports; longer ones would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function checkTimeout(value: unknown, name: string): asserts value is number {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value <= 0 ||
    (value > MAX_TIMER_MS && value !== Number.POSITIVE_INFINITY)
  ) {
    throw new InvalidOptionError(
      `${name} must be a positive number of milliseconds (at most ${MAX_TIMER_MS}) or Infinity`,
    );
  }
}

export function checkSize(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`${name} must be a positive integer`);
  }
}

export function checkCount(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(`${name} must be a non-negative integer`);
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}

/** Normalises a delimiter argument to a non-empty list of non-empty Buffers. */
export function toDelimiters(delimiter: unknown): Buffer[] {
  const list = Array.isArray(delimiter) ? delimiter : [delimiter];
  if (list.length === 0) throw new InvalidOptionError('delimiter must not be an empty array');
  return list.map((d) => {
    const buf = typeof d === 'string' ? Buffer.from(d) : d;
    if (!(buf instanceof Uint8Array) || buf.length === 0) {
      throw new InvalidOptionError(
        'delimiter must be a non-empty string or Buffer (or an array of them)',
      );
    }
    return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  });
}

// RESP2 framing on a BufferedSocket: the whole protocol is "read a line up to
// CRLF" and "read exactly N bytes", which is what BufferedSocket offers. Each
// step tries the synchronous fast path first and falls back to waiting.
import { type BufferedSocket, TimeoutError } from '@support/bufsock';
import { RedisProtocolError, RedisReplyError } from './errors.js';

/** A decoded reply. Bulk strings stay Buffers (Redis values are binary). */
export type RedisReply = string | number | bigint | Buffer | null | RedisReplyError | RedisReply[];

/** An argument of a command; numbers are sent as their decimal text. */
export type RedisArg = string | number | Buffer;

const CRLF = Buffer.from('\r\n');

/** Appends `args` as one RESP command (array of bulk strings) to the socket's send buffer. */
export function bufferCommand(bs: BufferedSocket, args: readonly RedisArg[]): void {
  bs.buffer(`*${args.length}\r\n`);
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    bs.buffer(`$${bytes.length}\r\n`);
    bs.buffer(bytes);
    bs.buffer(CRLF);
  }
}

/** Limits and deadline for reading one reply. */
export interface ReadLimits {
  /** Longest status/error/length line accepted. */
  maxLineLength: number;
  /** Largest bulk string accepted. */
  maxBulkLength: number;
  /** `performance.now()`-style deadline in ms, or Infinity. */
  deadline: number;
  /** The timeout the deadline came from (for the error). */
  timeout: number;
  signal?: AbortSignal;
}

/** Reads one complete reply (recursively for arrays). */
export async function readReply(bs: BufferedSocket, limits: ReadLimits): Promise<RedisReply> {
  const line =
    bs.tryRecvUntil(CRLF, { maxsize: limits.maxLineLength }) ??
    (await bs.recvUntil(CRLF, { maxsize: limits.maxLineLength, ...remaining(bs, limits) }));
  const type = line[0];
  const text = line.toString('utf8', 1);
  switch (type) {
    case 0x2b: // '+' simple string
      return text;
    case 0x2d: // '-' error
      return new RedisReplyError(text);
    case 0x3a: // ':' integer
      return parseInteger(text);
    case 0x24: {
      // '$' bulk string: <len>\r\n<bytes>\r\n
      const length = parseLength(text, '$');
      if (length === -1) return null;
      if (length > limits.maxBulkLength) {
        throw new RedisProtocolError(`bulk string of ${length} bytes exceeds maxBulkLength`);
      }
      const body =
        bs.tryRecvSize(length + 2) ?? (await bs.recvSize(length + 2, remaining(bs, limits)));
      if (body[length] !== 0x0d || body[length + 1] !== 0x0a) {
        throw new RedisProtocolError('bulk string not terminated by CRLF');
      }
      return body.subarray(0, length);
    }
    case 0x2a: {
      // '*' array of replies
      const count = parseLength(text, '*');
      if (count === -1) return null;
      const items: RedisReply[] = [];
      for (let i = 0; i < count; i++) items.push(await readReply(bs, limits));
      return items;
    }
    default:
      throw new RedisProtocolError(
        `unexpected reply type ${JSON.stringify(line.toString('latin1', 0, 1))}`,
      );
  }
}

function remaining(
  bs: BufferedSocket,
  limits: ReadLimits,
): { timeout: number; signal?: AbortSignal } {
  if (limits.deadline === Number.POSITIVE_INFINITY) {
    return { timeout: Number.POSITIVE_INFINITY, signal: limits.signal };
  }
  const left = limits.deadline - performance.now();
  if (left <= 0) throw new TimeoutError('redis reply', limits.timeout, bs.bufferedLength);
  return { timeout: left, signal: limits.signal };
}

function parseLength(text: string, type: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < -1 || text === '') {
    throw new RedisProtocolError(`invalid ${type} length ${JSON.stringify(text)}`);
  }
  return n;
}

function parseInteger(text: string): number | bigint {
  if (!/^-?\d+$/.test(text))
    throw new RedisProtocolError(`invalid integer ${JSON.stringify(text)}`);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

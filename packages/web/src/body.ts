import type { IncomingMessage } from 'node:http';
import { HTTPError } from './errors.js';

/** True when the request carries a body worth reading. */
export function hasBody(request: IncomingMessage): boolean {
  const method = request.method;
  if (method === 'GET' || method === 'HEAD') return false;
  const headers = request.headers;
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

// A client that sent too much gets its connection closed after the 413:
// the rest of its body is not parsed, only discarded during the bounded
// lingering close (linger.ts) that lets the client read the answer.
const CLOSE = { connection: 'close' };

function tooLarge(limit: number): HTTPError {
  return new HTTPError(413, `request body larger than ${limit} bytes`, { headers: CLOSE });
}

/**
 * Reads and parses the body: JSON (`application/json`, `*+json`) to a value,
 * forms to a record (repeated names give arrays), `text/*` to a string,
 * anything else to a Buffer. Rejects with HTTPError 413 past `limit`
 * (before reading when Content-Length says so), 400 for malformed JSON and
 * 415 for compressed bodies.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<unknown> {
  if (request.readableEnded) return alreadyRead(request);
  const headers = request.headers;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return Promise.reject(new HTTPError(415, `content-encoding ${encoding} is not supported`));
  }
  const declared = headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    request.pause();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HTTPError(400, 'request body could not be read', { cause: error }));
    };
    const onClose = () => {
      cleanup();
      reject(new HTTPError(400, 'client closed the connection before the body ended'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  }).then((buffer) => parseBody(buffer, headers['content-type']));
}

/**
 * The body of a request whose stream an earlier handler consumed: the value
 * a framework's body parser left in `req.body` (Express's `express.json()`,
 * body-parser), else a 500 that names the cause.
 */
function alreadyRead(request: IncomingMessage): Promise<unknown> {
  const parsed = (request as { body?: unknown }).body;
  if (parsed !== undefined) return Promise.resolve(parsed);
  return Promise.reject(
    new HTTPError(
      500,
      'the request body was already read by an earlier handler (a body parser mounted before this application?) and it left no req.body',
    ),
  );
}

/** Parses a complete body according to its Content-Type. */
export function parseBody(buffer: Buffer, contentType: string | undefined): unknown {
  const [type = '', ...params] = (contentType ?? '').split(';');
  const mime = type.trim().toLowerCase();
  if (mime === 'application/json' || mime.endsWith('+json')) {
    if (buffer.length === 0) return undefined;
    try {
      return JSON.parse(buffer.toString('utf8'));
    } catch (error) {
      throw new HTTPError(400, 'malformed JSON body', { cause: error });
    }
  }
  if (mime === 'application/x-www-form-urlencoded') {
    const form: Record<string, string | string[]> = Object.create(null);
    for (const [key, value] of new URLSearchParams(buffer.toString('utf8'))) {
      const prior = form[key];
      form[key] =
        prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
    return form;
  }
  if (mime.startsWith('text/')) {
    const charset = params
      .map((p) => p.trim().toLowerCase())
      .find((p) => p.startsWith('charset='))
      ?.slice(8)
      .replace(/"/g, '');
    try {
      return new TextDecoder(charset || 'utf-8').decode(buffer);
    } catch (error) {
      throw new HTTPError(415, `charset ${String(charset)} is not supported`, { cause: error });
    }
  }
  return buffer;
}

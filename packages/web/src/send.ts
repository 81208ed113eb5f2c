import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { codes, WebError } from './errors.js';
import { unreadPastLimit } from './linger.js';
import type { Response } from './response.js';

/** What send() needs besides the response. */
export interface SendOptions {
  /** Unread body bytes past which the answer says `Connection: close`. */
  drainLimit: number;
  /** Called when a stream body fails; without it the connection is cut. */
  onStreamError?: (error: unknown) => void;
}

/**
 * Writes a Response. Headers Node refuses (bad characters, bad names,
 * `undefined`) throw a WebError with code SUP_ERR_WEB_INVALID_RESPONSE
 * before anything is written, and leave no header set. A body whose
 * iterator cannot even be obtained throws the same way. HEAD requests and
 * 204/304 get headers only (a stream body is destroyed unread); streams
 * are piped with backpressure, and a failing stream goes to
 * `onStreamError`, never out of the process.
 */
export function send(
  request: IncomingMessage,
  res: ServerResponse,
  response: Response,
  options: SendOptions,
): void {
  setHeaders(res, response.headers);
  const body = response.body;
  const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
  let stream: Readable | undefined;
  if (
    body !== null &&
    body !== undefined &&
    typeof body !== 'string' &&
    !(body instanceof Uint8Array)
  ) {
    try {
      stream = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
    } catch (error) {
      clearHeaders(res);
      throw new WebError(codes.INVALID_RESPONSE, 'Response body iterator failed at once', {
        cause: error,
      });
    }
  }
  if (unreadPastLimit(request, options.drainLimit)) res.setHeader('connection', 'close');
  res.statusCode = response.status;
  if (body === null || body === undefined) {
    res.end();
    return;
  }
  if (stream === undefined) {
    const bytes = body as string | Uint8Array;
    if (noBody) {
      if (request.method === 'HEAD' && !res.hasHeader('content-length')) {
        res.setHeader(
          'content-length',
          typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength,
        );
      }
      res.end();
    } else {
      res.end(bytes);
    }
    return;
  }
  if (noBody) {
    stream.destroy();
    res.end();
    return;
  }
  pipe(stream, res, options.onStreamError);
}

/** Sets every header or, when Node refuses one, none of them. */
function setHeaders(res: ServerResponse, headers: Response['headers']): void {
  let current: string | undefined;
  try {
    for (const name in headers) {
      current = name;
      res.setHeader(name, headers[name] as string);
    }
  } catch (error) {
    clearHeaders(res);
    throw new WebError(
      codes.INVALID_RESPONSE,
      `response header ${JSON.stringify(current)} cannot be sent: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function clearHeaders(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
}

function pipe(
  stream: Readable,
  res: ServerResponse,
  onStreamError: ((error: unknown) => void) | undefined,
): void {
  const cleanup = () => {
    stream.off('error', onError);
    res.off('close', onClose);
  };
  const onError = (error: unknown) => {
    cleanup();
    stream.unpipe(res);
    if (onStreamError !== undefined) {
      onStreamError(error);
    } else {
      // Headers may be out already: the only honest signal left is a cut connection.
      res.destroy();
    }
  };
  const onClose = () => {
    cleanup();
    if (!stream.readableEnded) stream.destroy();
  };
  stream.on('error', onError);
  res.on('close', onClose);
  stream.pipe(res);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Response } from './response.js';

/**
 * Writes a Response. HEAD requests and 204/304 get headers only (a stream
 * body is destroyed unread); streams are piped with backpressure and a
 * failing stream tears the response down instead of crashing the process.
 */
export function send(request: IncomingMessage, res: ServerResponse, response: Response): void {
  res.statusCode = response.status;
  const headers = response.headers;
  for (const name in headers) res.setHeader(name, headers[name] as string);
  const body = response.body;
  if (body === null || body === undefined) {
    res.end();
    return;
  }
  const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    if (noBody) {
      if (request.method === 'HEAD' && !res.hasHeader('content-length')) {
        res.setHeader(
          'content-length',
          typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        );
      }
      res.end();
    } else {
      res.end(body);
    }
    return;
  }
  const stream = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
  if (noBody) {
    stream.destroy();
    res.end();
    return;
  }
  pipe(stream, res);
}

function pipe(stream: Readable, res: ServerResponse): void {
  const cleanup = () => {
    stream.off('error', onError);
    res.off('close', onClose);
  };
  const onError = () => {
    cleanup();
    // Headers may be out already: the only honest signal left is a cut connection.
    res.destroy();
  };
  const onClose = () => {
    cleanup();
    if (!stream.readableEnded) stream.destroy();
  };
  stream.on('error', onError);
  res.on('close', onClose);
  stream.pipe(res);
}

import { createReadStream, realpathSync, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import type { RequestContext } from './context.js';
import { codes, HTTPError, WebError } from './errors.js';
import { Response } from './response.js';
import { type Route, route } from './route.js';

/** Options of {@link staticFiles}. */
export interface StaticOptions {
  /**
   * File served for a directory, or false to answer 404 for directories.
   * @default 'index.html'
   */
  index?: string | false;
  /**
   * Serve files and directories whose name starts with a dot.
   * @default false
   */
  dotfiles?: boolean;
  /**
   * `Cache-Control: max-age` in seconds (0 sends `no-cache`, so clients revalidate with the ETag).
   * @default 0
   */
  maxAge?: number;
  /**
   * Extra or overriding content types by extension, e.g. `{ '.wasm': 'application/wasm' }`.
   * @default {}
   */
  contentTypes?: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

function invalid(message: string): WebError {
  return new WebError(codes.INVALID_OPTION, message);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const notFound = () => new HTTPError(404);

/**
 * A GET route serving the files under `root` at `prefix/*`. Paths are
 * decoded once, and anything that could leave `root` (`..` segments, NUL
 * bytes, backslashes, symlinks pointing outside) gets 404, as do dotfiles
 * unless allowed. Files are streamed with Content-Length, Last-Modified and
 * a weak ETag; conditional requests get 304.
 */
export function staticFiles(prefix: string, root: string, options: StaticOptions = {}): Route {
  const index = options.index ?? 'index.html';
  const dotfiles = options.dotfiles ?? false;
  const maxAge = options.maxAge ?? 0;
  if (index !== false && (typeof index !== 'string' || index === '' || /[\\/]/.test(index))) {
    throw invalid('staticFiles options.index must be a file name or false');
  }
  if (typeof dotfiles !== 'boolean')
    throw invalid('staticFiles options.dotfiles must be a boolean');
  if (!Number.isInteger(maxAge) || maxAge < 0) {
    throw invalid('staticFiles options.maxAge must be a non-negative integer');
  }
  const types = { ...TYPES, ...options.contentTypes };
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch (error) {
    throw new WebError(codes.INVALID_OPTION, `staticFiles root ${root} cannot be resolved`, {
      cause: error,
    });
  }
  const cacheControl = maxAge === 0 ? 'no-cache' : `public, max-age=${maxAge}`;
  const base = prefix === '/' ? '' : prefix.replace(/\/+$/, '');

  /**
   * The real path, which must lie inside the root, and (unless dotfiles are
   * allowed) name no dotfile or dot-directory under it: the decision is made
   * on what is served, so a symlink to `.env` is refused like `.env`.
   */
  const resolveInside = async (path: string): Promise<string> => {
    const real = await realpath(path);
    if (!isInside(rootReal, real)) throw notFound();
    if (
      !dotfiles &&
      relative(rootReal, real)
        .split(sep)
        .some((s) => s.startsWith('.'))
    ) {
      throw notFound();
    }
    return real;
  };

  const serveFile = async ({ params, request }: RequestContext): Promise<Response> => {
    const wanted = params['*'] ?? '';
    if (wanted.includes('\0') || wanted.includes('\\')) throw notFound();
    const segments = wanted.split('/').filter((s) => s !== '');
    for (const segment of segments) {
      if (segment === '..' || segment === '.') throw notFound();
      if (!dotfiles && segment.startsWith('.')) throw notFound();
    }
    let path = join(rootReal, ...segments);
    if (!isInside(rootReal, path)) throw notFound();
    let info: Stats;
    try {
      path = await resolveInside(path);
      info = await stat(path);
      if (info.isDirectory()) {
        if (index === false) throw notFound();
        path = await resolveInside(join(path, index));
        info = await stat(path);
      } else if (wanted.endsWith('/')) {
        // A file is not a directory: `/a.txt/` is 404, as nginx answers.
        throw notFound();
      }
    } catch (error) {
      if (error instanceof HTTPError) throw error;
      throw notFound();
    }
    if (!info.isFile()) throw notFound();

    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const lastModified = info.mtime.toUTCString();
    const headers = {
      etag,
      'last-modified': lastModified,
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
    };
    const ifNoneMatch = request.headers['if-none-match'];
    const ifModifiedSince = request.headers['if-modified-since'];
    const fresh =
      ifNoneMatch !== undefined
        ? ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')
        : ifModifiedSince !== undefined &&
          Math.floor(info.mtimeMs / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000);
    if (fresh) return new Response(null, { status: 304, headers });
    const type = types[extname(path).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : createReadStream(path), {
      headers: { ...headers, 'content-type': type, 'content-length': info.size },
    });
  };
  Object.defineProperty(serveFile, 'name', { value: `staticFiles(${root})` });
  return route(`${base}/*`, serveFile, undefined, { needs: ['params', 'request'] });
}

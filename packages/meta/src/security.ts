import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { html, type Middleware, prefersJSON, Response } from '@support/web';
import { safeJSON } from './html/json.js';
import { page } from './html/layout.js';
import { type MetaState, mountBase } from './state.js';

/** Name of the session cookie the login form sets. */
export const COOKIE_NAME = 'support_meta';

/**
 * The cookie holds a value derived from the token, never the token itself,
 * so a leaked cookie does not give away the Bearer secret.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('support-meta-session-v1').digest('base64url');
}

/** Constant-time comparison of two strings of any length (hashes first, so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** True when the request carries the token (Bearer header) or the login cookie. */
export function isAuthenticated(request: IncomingMessage, token: string): boolean {
  const auth = request.headers.authorization;
  let ok = false;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) {
    ok = safeEqual(auth.replace(/^bearer\s+/i, '').trim(), token);
  }
  const session = cookie(request, COOKIE_NAME);
  if (session !== undefined) ok = safeEqual(session, sessionValue(token)) || ok;
  return ok;
}

/**
 * Why a state-changing request looks cross-site, or undefined when it does
 * not: browsers send Sec-Fetch-Site and Origin on POSTs; programs (curl,
 * scrapers) send neither and are let through.
 */
export function crossSiteReason(request: IncomingMessage): string | undefined {
  // Fetch metadata first: browsers that send it say exactly where a request
  // comes from (and may send `Origin: null` on same-origin form posts).
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site is ${site}`;
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string') {
    let host: string | undefined;
    try {
      host = origin === 'null' ? undefined : new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host === undefined || host !== request.headers.host) {
      return `Origin ${origin} is not this server`;
    }
  }
  return undefined;
}

/** A JSON or HTML error answer, whichever the client prefers. */
export function errorResponse(
  ctx: Parameters<typeof prefersJSON>[0],
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  if (prefersJSON(ctx)) {
    return new Response(safeJSON({ error: { status, message } }), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    });
  }
  return new Response(
    page({
      title: `${status}`,
      body: html`<p class="error">${message}</p>`,
      base: mountBase(ctx.request),
      plain: true,
    }),
    { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers } },
  );
}

/** Requires the token on every route it is applied to. */
export function authMiddleware(state: MetaState): Middleware {
  return {
    name: 'metaAuth',
    async request(next, ctx) {
      const token = state.token;
      if (token === undefined || isAuthenticated(ctx.request, token)) return next();
      const headers = { 'www-authenticate': 'Bearer realm="meta"', 'cache-control': 'no-store' };
      if (prefersJSON(ctx)) return errorResponse(ctx, 401, 'authentication required', headers);
      const base = state.base(ctx.request);
      const nextPath = (ctx.request.url ?? '/').slice(0, 1000);
      return new Response(
        page({
          title: 'Sign in',
          base,
          plain: true,
          body: html`<form class="login" method="post" action="${base}/login">
  <h2>${state.title}: sign in</h2>
  <label>Token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
  <input type="hidden" name="next" value="${nextPath}">
  <button type="submit">Sign in</button>
</form>`,
        }),
        { status: 401, headers: { 'content-type': 'text/html; charset=utf-8', ...headers } },
      );
    },
  };
}

/** POST routes that change the process: off unless allowMutations, never cross-site. */
export function mutationMiddleware(state: MetaState): Middleware {
  return {
    name: 'metaMutation',
    async request(next, ctx) {
      if (!state.allowMutations) {
        return errorResponse(
          ctx,
          403,
          'mutations are disabled (createMetaApp({ allowMutations: true }) enables them)',
        );
      }
      const why = crossSiteReason(ctx.request);
      if (why !== undefined) return errorResponse(ctx, 403, `cross-site request refused: ${why}`);
      return next();
    },
  };
}

/** Security headers and the size bound on every answer. */
export function headersMiddleware(state: MetaState): Middleware {
  return {
    name: 'metaHeaders',
    async request(next, ctx) {
      let response = await next();
      if (response === undefined) return response;
      const body = response.body;
      const size =
        typeof body === 'string'
          ? Buffer.byteLength(body)
          : body instanceof Uint8Array
            ? body.byteLength
            : 0;
      if (size > state.maxResponseBytes) {
        response = errorResponse(
          ctx,
          500,
          `response of ${size} bytes exceeds maxResponseBytes (${state.maxResponseBytes}); narrow it with ?prefix= or ?limit=`,
        );
      }
      const h = response.headers;
      h['x-content-type-options'] = 'nosniff';
      h['x-frame-options'] = 'DENY';
      h['referrer-policy'] = 'same-origin';
      h['content-security-policy'] ??=
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";
      h['cache-control'] ??= 'no-store';
      return response;
    },
  };
}

import { html, Response, route } from '@support/web';
import { page } from './html/layout.js';
import {
  COOKIE_NAME,
  crossSiteReason,
  errorResponse,
  safeEqual,
  sessionValue,
} from './security.js';
import type { MetaState } from './state.js';

/** A path inside the app to return to after signing in; anything else gives '/'. */
export function safeNext(next: unknown): string {
  if (
    typeof next !== 'string' ||
    !next.startsWith('/') ||
    next.startsWith('//') ||
    /[\\\r\n\0]/.test(next)
  )
    return '/';
  return next.slice(0, 1000);
}

function cookieHeader(
  state: MetaState,
  base: string,
  value: string,
  secure: boolean,
  maxAge?: number,
): string {
  const parts = [`${COOKIE_NAME}=${value}`, 'HttpOnly', 'SameSite=Strict', `Path=${base || '/'}`];
  if (secure) parts.push('Secure');
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  void state;
  return parts.join('; ');
}

function loginPage(state: MetaState, base: string, next: string, message?: string): string {
  return page({
    title: 'Sign in',
    base,
    plain: true,
    service: state.title,
    body: html`<form class="login" method="post" action="${base}/login">
  <h2>${state.title}: sign in</h2>${message ? html`<p class="error">${message}</p>` : html``}
  <label>Token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
  <input type="hidden" name="next" value="${next}">
  <button type="submit">Sign in</button>
</form>`,
  });
}

/** GET /login (the form), POST /login (sets the cookie), POST /logout (clears it). */
export function loginRoutes(state: MetaState) {
  const htmlType = { 'content-type': 'text/html; charset=utf-8' };
  return [
    route(
      '/login',
      ({ request, query }) => {
        const base = state.base(request);
        return new Response(loginPage(state, base, safeNext(query.next)), { headers: htmlType });
      },
      undefined,
      { name: 'loginForm' },
    ),
    route(
      'POST',
      '/login',
      ({ request, query, body }) => {
        const why = crossSiteReason(request);
        if (why !== undefined)
          return errorResponse({ request, query }, 403, `cross-site request refused: ${why}`);
        const base = state.base(request);
        const form = (body ?? {}) as { token?: unknown; next?: unknown };
        const next = safeNext(form.next);
        if (state.token === undefined)
          return new Response(null, { status: 303, headers: { location: `${base}${next}` } });
        if (typeof form.token !== 'string' || !safeEqual(form.token, state.token)) {
          return new Response(loginPage(state, base, next, 'Wrong token.'), {
            status: 401,
            headers: htmlType,
          });
        }
        const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
        return new Response(null, {
          status: 303,
          headers: {
            location: `${base}${next}`,
            'set-cookie': cookieHeader(state, base, sessionValue(state.token), secure),
          },
        });
      },
      undefined,
      { name: 'login', bodyLimit: 8192 },
    ),
    route(
      'POST',
      '/logout',
      ({ request, query }) => {
        const why = crossSiteReason(request);
        if (why !== undefined)
          return errorResponse({ request, query }, 403, `cross-site request refused: ${why}`);
        const base = state.base(request);
        return new Response(null, {
          status: 303,
          headers: {
            location: `${base}/login`,
            'set-cookie': cookieHeader(state, base, '', false, 0),
          },
        });
      },
      undefined,
      { name: 'logout', bodyLimit: 1024 },
    ),
  ];
}

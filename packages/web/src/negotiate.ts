import type { RequestContext } from './context.js';

/**
 * True when the client should get JSON rather than an HTML page:
 * `?format=json` (or `html`) decides first, then the Accept header, where
 * JSON wins ties so that `curl` and other programs sending `*∕*` get JSON.
 */
export function prefersJSON(ctx: Pick<RequestContext, 'request' | 'query'>): boolean {
  const format = ctx.query.format;
  if (format === 'json') return true;
  if (format === 'html') return false;
  const accept = ctx.request.headers.accept;
  if (accept === undefined || accept === '') return true;
  return quality(accept, 'application', 'json') >= quality(accept, 'text', 'html');
}

/** The q value the Accept header gives a media type (most specific range wins). */
export function quality(accept: string, type: string, subtype: string): number {
  let best = -1;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';');
    const [t = '', s = ''] = range.trim().toLowerCase().split('/');
    let specificity: number;
    if (t === type && s === subtype) specificity = 2;
    else if (t === type && s === '*') specificity = 1;
    else if (t === '*' && s === '*') specificity = 0;
    else continue;
    if (specificity < bestSpecificity) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() === 'q') {
        const parsed = Number(value?.trim());
        q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
      }
    }
    if (specificity > bestSpecificity || q > best) {
      best = q;
      bestSpecificity = specificity;
    }
  }
  return Math.max(best, 0);
}

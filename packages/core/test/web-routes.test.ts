import { describe, expect, it } from 'vitest';
import { patternRegex, webRouteOf } from '../src/web-routes.js';

describe('route labels of @support/web route tables', () => {
  it('turns find-my-way patterns into anchored expressions', () => {
    expect(patternRegex('/users/:id')!.test('/users/42')).toBe(true);
    expect(patternRegex('/users/:id')!.test('/users/42/x')).toBe(false);
    expect(patternRegex('/files/*')!.test('/files/a/b.txt')).toBe(true);
    expect(patternRegex('/n/:n(^\\d+$)')!.test('/n/12')).toBe(true);
    expect(patternRegex('/n/:n(^\\d+$)')!.test('/n/ab')).toBe(false);
    expect(patternRegex('/a.b')!.test('/aXb')).toBe(false);
  });

  it('labels a request with its method and pattern, ignoring the query', () => {
    const routeOf = webRouteOf({
      routes: [
        { methods: ['GET', 'HEAD'], pattern: '/' },
        { methods: ['POST'], pattern: '/items/:id' },
      ],
    })!;
    const req = (method: string, url: string) => ({ method, url }) as never;
    expect(routeOf(req('GET', '/?x=1'), {} as never)).toBe('GET /');
    expect(routeOf(req('POST', '/items/9'), {} as never)).toBe('POST /items/:id');
    expect(routeOf(req('GET', '/items/9'), {} as never)).toBeUndefined();
    expect(webRouteOf(() => {})).toBeUndefined();
  });
});

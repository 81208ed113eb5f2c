import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Application,
  type ContextWith,
  html,
  type Render,
  renderHTML,
  renderJSON,
  route,
} from '../src/index.js';
import { serveEach } from './serve.js';

const serve = serveEach();

interface User {
  name: string;
  age: number;
}

describe('types', () => {
  it("a render function gets the endpoint's return type (strict mode, no annotations)", async () => {
    const users = route(
      '/user',
      async () => ({ name: '<Ann>', age: 7 }),
      renderHTML((user) => {
        expectTypeOf(user).toEqualTypeOf<{ name: string; age: number }>();
        return html`<p>${user.name} is ${user.age}</p>`;
      }),
    );
    const post = route(
      'POST',
      '/user',
      (): User => ({ name: 'Bo', age: 3 }),
      (user, ctx) => {
        expectTypeOf(user).toEqualTypeOf<User>();
        return renderJSON(user.name, ctx);
      },
    );
    route(
      '/bad',
      (): User => ({ name: 'x', age: 1 }),
      // @ts-expect-error the endpoint returns a User, which has no `email`
      renderHTML((u) => html`${u.email}`),
    );
    // A render written for a wider type still fits.
    const wide: Render = renderJSON;
    route('/wide', (): User => ({ name: 'x', age: 1 }), wide);

    const { base } = await serve(new Application([users, post]).handler);
    expect(await (await fetch(`${base}/user`)).text()).toBe('<p>&lt;Ann&gt; is 7</p>');
  });

  it('resources get their types through ContextWith', async () => {
    class Counter {
      n = 41;
      next(): number {
        return ++this.n;
      }
    }
    const count = route(
      '/count',
      ({ counter }: ContextWith<{ counter: Counter }>) => {
        expectTypeOf(counter).toEqualTypeOf<Counter>();
        return { n: counter.next() };
      },
      (value, ctx) => {
        expectTypeOf(value).toEqualTypeOf<{ n: number }>();
        return renderJSON(value, ctx);
      },
    );
    route(
      '/bad',
      // @ts-expect-error a Counter has no `reset`
      ({ counter }: ContextWith<{ counter: Counter }>) => counter.reset(),
      renderJSON,
    );
    const app = new Application([count], { resources: { counter: new Counter() } });
    const { base } = await serve(app.handler);
    expect(await (await fetch(`${base}/count`)).text()).toBe('{"n":42}');
  });
});

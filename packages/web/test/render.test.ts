import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  escapeHTML,
  html,
  htmlPage,
  type RequestContext,
  Response,
  renderBasic,
  renderHTML,
  renderJSON,
  renderText,
} from '../src/index.js';
import { quality } from '../src/negotiate.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</td></tr></table><script>x()</script>',
  '&lt;already&gt; &amp; <b>bold</b>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string, not a template
  '`${x}`',
  '<!-- comment --><![CDATA[x]]>',
  '</title><script>1</script>',
];

// No raw markup character from any hostile string may survive.
function assertNoInjection(page: string): void {
  for (const text of HOSTILE) expect(page).not.toContain(text);
  expect(page).not.toMatch(/<script|<img|<!--|<!\[CDATA|<b>/i);
}

function ctx(accept?: string, query: Record<string, string> = {}, url = '/x'): RequestContext {
  const request = {
    headers: accept === undefined ? {} : { accept },
    url,
  } as unknown as IncomingMessage;
  return { request, query, params: {} } as unknown as RequestContext;
}

async function bodyText(response: Response | Promise<Response>): Promise<string> {
  const r = await response;
  return typeof r.body === 'string' ? r.body : String(r.body);
}

describe('HTML escaping', () => {
  it('escapes every markup character', () => {
    expect(escapeHTML(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
    // Repeated calls must not depend on regex state.
    expect(escapeHTML('<')).toBe('&lt;');
    expect(escapeHTML('<')).toBe('&lt;');
    expect(escapeHTML('plain')).toBe('plain');
  });

  it('renders hostile keys and values of nested objects as inert text', () => {
    const value: Record<string, unknown> = {};
    HOSTILE.forEach((text, i) => {
      value[text] = { [text]: [text, { nested: text }], n: i };
    });
    value.map = new Map([[HOSTILE[0], new Set([HOSTILE[1]])]]);
    value.date = new Date(0);
    const page = htmlPage(value, HOSTILE[7] as string);
    assertNoInjection(page);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('1970-01-01T00:00:00.000Z');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('escapes the page title taken from the request URL', async () => {
    const page = await bodyText(
      renderBasic({ a: 1 }, ctx('text/html', {}, '/x?<script>alert(1)</script>')),
    );
    assertNoInjection(page);
  });

  it('survives circular and deep values', () => {
    const loop: Record<string, unknown> = { name: '<loop>' };
    loop.self = loop;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const page = htmlPage({ loop, deep }, 't');
    expect(page).toContain('[circular]');
    expect(page).toContain('…');
    expect(page).toContain('&lt;loop&gt;');
  });

  it('the html tag escapes interpolations but not nested html', () => {
    const name = HOSTILE[0];
    const items = HOSTILE.slice(1, 3).map((t) => html`<li>${t}</li>`);
    const out = html`<p>${name}</p><ul>${items}</ul>${null}${false}`;
    expect(out.value).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><ul><li>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</li><li>&#39; onmouseover=&#39;alert(1)</li></ul>',
    );
  });
});

describe('render functions', () => {
  it('renderBasic sends JSON to programs and HTML to browsers', async () => {
    const value = { a: '<b>' };
    const browser = await renderBasic(
      value,
      ctx('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'),
    );
    expect(browser.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(browser.headers.vary).toBe('Accept');
    expect(String(browser.body)).toContain('<th>a</th><td>&lt;b&gt;</td>');

    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html']) {
      const r = await renderBasic(value, ctx(accept));
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(String(r.body))).toEqual(value);
    }
    const forced = await renderBasic(value, ctx('text/html', { format: 'json' }));
    expect(forced.headers['content-type']).toBe('application/json; charset=utf-8');
    const forcedHTML = await renderBasic(value, ctx('application/json', { format: 'html' }));
    expect(forcedHTML.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('renderBasic passes Responses through and sends strings as text', async () => {
    const response = new Response('x', { status: 202 });
    expect(await renderBasic(response, ctx())).toBe(response);
    const text = await renderBasic('<b>hi</b>', ctx('text/html'));
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('renderJSON escapes characters that could close a script element', async () => {
    const out = await bodyText(
      renderJSON({ s: '</script><script>x</script>', l: '\u2028', big: 10n }, ctx()),
    );
    expect(out).not.toContain('<');
    expect(out).not.toContain('>');
    expect(JSON.parse(out)).toEqual({ s: '</script><script>x</script>', l: '\u2028', big: '10' });
  });

  it('renderText stringifies', async () => {
    expect(await bodyText(renderText(42, ctx()))).toBe('42');
  });

  it('renderHTML renders a template or the value as a page, and refuses unescaped strings', async () => {
    const template = renderHTML((value) => html`<h1>${(value as { title: string }).title}</h1>`);
    const out = await bodyText(template({ title: HOSTILE[0] }, ctx()));
    expect(out).toBe('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    const page = await bodyText(renderHTML()({ x: HOSTILE[1] }, ctx()));
    assertNoInjection(page);
    const unsafe = renderHTML((() => '<b>raw</b>') as never);
    expect(() => unsafe({}, ctx())).toThrow(/html`/);
  });

  it('reads Accept qualities with the most specific range winning', () => {
    expect(quality('text/html;q=0.5, */*', 'text', 'html')).toBe(0.5);
    expect(quality('text/*;q=0.3', 'text', 'html')).toBe(0.3);
    expect(quality('image/png', 'application', 'json')).toBe(0);
    expect(quality('application/json;q=2', 'application', 'json')).toBe(1);
  });
});

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
// Two regexes: a global one for replace(), a sticky-free one for test(),
// since test() on a global regex moves its lastIndex between calls.
const ESCAPE_ALL = /[&<>"'`]/g;
const HAS_ESCAPE = /[&<>"'`]/;

/** Escapes text for use in HTML content or a quoted attribute value. */
export function escapeHTML(value: unknown): string {
  const text = String(value);
  return HAS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (char) => ESCAPES[char] ?? char) : text;
}

/** Markup known to be safe: the `html` tag does not escape it again. */
export class SafeHTML {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

/**
 * Tagged template for HTML: every interpolated value is escaped unless it is
 * itself a {@link SafeHTML} (the result of another `html` template); arrays
 * are escaped item by item and joined.
 *
 * @example html`<p>Hello ${name}</p>`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHTML {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += interpolate(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHTML(out);
}

function interpolate(value: unknown): string {
  if (value instanceof SafeHTML) return value.value;
  if (value == null || value === false) return '';
  if (Array.isArray(value)) return value.map(interpolate).join('');
  return escapeHTML(value);
}

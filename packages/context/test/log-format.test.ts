import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMessage, safeString } from '../src/log/format.js';

/** The specification: each `{name}` match of this expression, left to right, filled from data. */
function reference(template: string, data: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z_$][\w$.]*)\}/g, (field, name: string) => {
    try {
      return Object.hasOwn(data, name) ? safeString(data[name]) : field;
    } catch {
      return field;
    }
  });
}

describe('formatMessage', () => {
  it('fills {name} fields as the regular expression of its specification does', () => {
    const piece = fc.constantFrom('{', '}', 'a', 'b', 'x.y', '$', '_', '9', ' ', '{a}', '{9}', 'é');
    const template = fc.array(piece, { maxLength: 16 }).map((parts) => parts.join(''));
    const data = fc.dictionary(
      fc.constantFrom('a', 'b', 'x.y', '$', '_', 'a9', 'ab'),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant({ k: 1 })),
    );
    fc.assert(
      fc.property(template, data, (t, d) => {
        expect(formatMessage(t, d)).toBe(reference(t, d));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves a field whose getter throws as written, and the template alone without data', () => {
    const data = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(formatMessage('{ok} {bad} {none} {', data)).toBe('1 {bad} {none} {');
    expect(formatMessage('{ok}', undefined)).toBe('{ok}');
  });
});

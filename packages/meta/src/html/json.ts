/** JSON text with <, >, & and the JS line separators escaped, so no body can be sniffed as markup. */
export function safeJSON(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

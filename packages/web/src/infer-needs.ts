// Clastic resolves an endpoint's arguments by name. The closest thing in
// JavaScript is the destructuring pattern of the first parameter:
// `({ params, db }) => …` needs `params` and `db`. Reading it from the
// function's source lets the application check those names at construction.

const IDENTIFIER = /^([A-Za-z_$][\w$]*)\s*(?:[:=]|$)/;

/**
 * Names destructured from the first parameter of `fn`, or `undefined` when
 * they cannot be known (no destructuring, a rest element, computed keys):
 * then nothing is checked for it.
 */
export function inferNeeds(fn: (...args: never[]) => unknown): string[] | undefined {
  const source = Function.prototype.toString.call(fn);
  // Bound and native functions hide their parameters.
  if (source.endsWith('[native code] }')) return undefined;
  const paren = source.indexOf('(');
  const arrow = source.indexOf('=>');
  // `x => …`: a single plain parameter, nothing to read.
  if (paren === -1 || (arrow !== -1 && arrow < paren)) return undefined;
  let i = paren + 1;
  while (i < source.length && /\s/.test(source[i] ?? '')) i++;
  if (source[i] === ')') return [];
  if (source[i] !== '{') return undefined;
  const end = matchingBrace(source, i);
  if (end === -1) return undefined;
  const names: string[] = [];
  for (const element of splitTopLevel(source.slice(i + 1, end))) {
    const text = element.trim();
    if (text === '') continue;
    if (text.startsWith('...')) return undefined;
    const match = IDENTIFIER.exec(text);
    if (match === null) return undefined;
    names.push(match[1] as string);
  }
  return names;
}

function skipString(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return source.length;
}

function matchingBrace(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const char = source[i];
    if (char === '"' || char === "'" || char === '`') i = skipString(source, i);
    else if (char === '{' || char === '[' || char === '(') depth++;
    else if (char === '}' || char === ']' || char === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '"' || char === "'" || char === '`') i = skipString(body, i);
    else if (char === '{' || char === '[' || char === '(') depth++;
    else if (char === '}' || char === ']' || char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(body.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(body.slice(from));
  return parts;
}

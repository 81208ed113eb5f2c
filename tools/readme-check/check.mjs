// Type-checks the TypeScript and JavaScript code blocks of package READMEs
// against the packages' sources, so examples cannot drift from the API.
// Blocks are fragments: names they use without declaring (a `socket`, an
// `app`) and `…` placeholders are allowed; everything else TypeScript
// reports (a missing export, a wrong property, a wrong argument) is an
// error. Plain JavaScript blocks may not use `await using` (a SyntaxError
// on Node 20).
// Usage: node tools/readme-check/check.mjs packages/web/README.md …
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FENCE = /^([ \t]*)```(ts|typescript|js|javascript|mjs|cjs)[ \t]*\n([\s\S]*?)^\1```/gm;
/** Diagnostics a fragment is allowed: undeclared names, top-level await in a script, implicit any. */
const ALLOWED = new Set([
  2304, 2552, 2580, 2591, 2582, 1375, 1378, 1208, 7006, 7031, 18004, 2451, 2300,
]);

/** `<!-- readme-check: needs redis-server -->` right before a block: the server it talks to. */
const NEEDS = /<!--\s*readme-check:\s*needs\s+(\S+)\s*-->\s*$/;
/** Undeclared names: the block is a fragment of a larger program. */
const UNDECLARED = new Set([2304, 2552, 2580, 2591, 2582]);
const IMPORTS = /^\s*import\s|\brequire\(/m;
const OWN_MODULE = /from\s+['"]\.\.?\/|require\(\s*['"]\.\.?\//;

/** The code blocks of one README: { file, line, lang, code }. */
export function blocks(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(FENCE)].map((m) => ({
    file,
    line: text.slice(0, m.index).split('\n').length + 1,
    lang: m[2],
    needs: text.slice(0, m.index).match(NEEDS)?.[1],
    code: m[3]
      .split('\n')
      .map((l) => l.slice(m[1].length))
      .join('\n'),
  }));
}

/** Problems found in the README files, as `file:line: message` strings. */
export function check(files) {
  return analyze(files).problems;
}

/**
 * The blocks that are whole programs: they import something and TypeScript
 * finds no name they use without declaring, no `…` placeholder and no module
 * of the example's own (`./tasks.js`). `run.mjs` runs them.
 */
export function programs(files) {
  return analyze(files).programs;
}

function analyze(files) {
  const all = files.flatMap((f) => blocks(resolve(root, f)));
  const problems = [];
  const sources = new Map();
  all.forEach((b, i) => {
    const js = !b.lang.startsWith('t');
    if (js && b.lang !== 'cjs' && /\bawait using\b/.test(b.code)) {
      problems.push(
        `${b.file}:${b.line}: \`await using\` is a SyntaxError in plain JavaScript on Node 20`,
      );
    }
    const ext = b.lang === 'cjs' ? 'cjs' : js ? 'mjs' : 'mts';
    // `…` stands for elided code; `export {}` makes each block a module.
    const code = `${b.code.replaceAll('…', '__elided__')}\nexport {};\n`;
    sources.set(join(root, 'tools', 'readme-check', `.block${i}.${ext}`), { code, block: b });
  });
  const options = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['@support/source'],
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    allowJs: true,
    checkJs: true,
    strict: false,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    // The packages' sources, as the workspace's tests use them.
    paths: {
      '@support/*': [join(root, 'packages', '*', 'src', 'index.ts')],
      '@support-examples/*': [join(root, 'examples', '*', 'src', 'index.ts')],
    },
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  host.readFile = (f) => sources.get(resolve(f))?.code ?? read(f);
  host.fileExists = (f) => sources.has(resolve(f)) || exists(f);
  const program = ts.createProgram([...sources.keys()], options, host);
  const programs = [];
  for (const [path, { block }] of sources) {
    const sf = program.getSourceFile(path);
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    const whole =
      IMPORTS.test(block.code) &&
      !block.code.includes('…') &&
      !OWN_MODULE.test(block.code) &&
      !diags.some((d) => UNDECLARED.has(d.code));
    if (whole) programs.push(block);
    for (const d of diags) {
      if (ALLOWED.has(d.code)) continue;
      // Untyped JavaScript parameters infer as unknown: assignability is not checked there.
      if (!block.lang.startsWith('t') && (d.code === 2345 || d.code === 2322)) continue;
      const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (text.includes('__elided__')) continue;
      // A module of the example's own (`./tasks.js`) is not there to check against.
      if (d.code === 2307 && /module '\.\.?\//.test(text)) continue;
      const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      problems.push(`${block.file}:${block.line + at}: TS${d.code} ${text}`);
    }
  }
  return { problems, programs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = check(process.argv.slice(2));
  for (const p of problems) console.log(p);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

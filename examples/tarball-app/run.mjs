// Packs the packages (built first), installs the tarballs, not workspace
// links, into a fresh app directory outside the workspace together with
// Express 5 and two TypeScript versions, then runs the ESM and the CommonJS
// app and a preforked Group, and type-checks the TypeScript one with the oldest and the newest
// supported TypeScript. Needs the npm registry for third-party packages.
// Usage: node examples/tarball-app/run.mjs [--keep]
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const PNPM = ['--yes', 'pnpm@12.4.2'];
/** The packages the app uses, dependencies first. */
export const PACKAGES = [
  'faststat',
  'context',
  'bufsock',
  'connmgr',
  'threadpool',
  'web',
  'prefork',
  'meta',
  'core',
];
/** The oldest TypeScript the declarations are checked with, and the newest. */
export const TYPESCRIPT = { oldest: '5.4.5', newest: '6.0.3' };

async function sh(cmd, args, cwd, timeout = 300_000, withStderr = false) {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024 });
    return withStderr ? { stdout, stderr } : stdout;
  } catch (error) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${error.stdout}\n${error.stderr}`,
    );
  }
}

export async function run({ keep = false, log = () => {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'support-tarball-app-'));
  try {
    const tarballs = join(dir, 'tarballs');
    await mkdir(tarballs);
    for (const name of PACKAGES) {
      const pkg = join(root, 'packages', name);
      log(`build and pack @support/${name}`);
      await sh('npx', [...PNPM, 'run', 'build'], pkg);
      await sh('npx', [...PNPM, 'pack', '--pack-destination', tarballs], pkg);
    }
    const files = await readdir(tarballs);
    const deps = {};
    for (const name of PACKAGES) {
      const file = files.find((f) => f.startsWith(`support-${name}-`));
      if (file === undefined) throw new Error(`no tarball for @support/${name} in ${files}`);
      deps[`@support/${name}`] = `file:${join(tarballs, file)}`;
    }
    const app = join(dir, 'app');
    await cp(join(here, 'app'), app, { recursive: true });
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'support-tarball-app',
          private: true,
          dependencies: { ...deps, express: '5.3.0' },
          devDependencies: {
            '@types/node': '20.19.43',
            'typescript-oldest': `npm:typescript@${TYPESCRIPT.oldest}`,
            'typescript-newest': `npm:typescript@${TYPESCRIPT.newest}`,
          },
        },
        null,
        2,
      ),
    );
    // Workspace dependencies inside the tarballs resolve to the tarballs too.
    const overrides = Object.entries(deps).map(([name, spec]) => `  '${name}': '${spec}'\n`);
    await writeFile(join(app, 'pnpm-workspace.yaml'), `overrides:\n${overrides.join('')}`);
    log('install the tarballs');
    await sh('npx', [...PNPM, 'install'], app);
    const out = {};
    log('run the ESM app');
    const esm = await sh(process.execPath, ['esm.mjs'], app, 60_000, true);
    out.esm = esm.stdout;
    out.esmStderr = esm.stderr;
    // Run with the common monorepo condition `source`: the installed packages
    // must still load their dist/ (their own condition is `@support/source`).
    log('run the CommonJS app (with --conditions=source)');
    out.cjs = await sh(process.execPath, ['--conditions=source', 'cjs.cjs'], app, 60_000);
    log('run the preforked Group app');
    out.group = await sh(process.execPath, ['group.mjs'], app, 60_000);
    for (const which of ['oldest', 'newest']) {
      log(`tsc ${TYPESCRIPT[which]}`);
      const tsc = join(app, 'node_modules', `typescript-${which}`, 'bin', 'tsc');
      out[`tsc-${which}`] = await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], app, 120_000);
    }
    return { dir, out };
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { dir, out } = await run({
    keep: process.argv.includes('--keep'),
    log: (line) => console.log(`tarball-app: ${line}`),
  });
  console.log(out.esm.trim());
  console.log(out.cjs.trim());
  console.log(out.group.trim());
  console.log(`tsc ${TYPESCRIPT.oldest} and ${TYPESCRIPT.newest}: no errors`);
  if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
}

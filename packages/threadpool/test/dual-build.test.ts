// An ESM app whose task module or dependency is CommonJS loads both builds of
// threadpool: the shared pools and their configuration must stay one per process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const source = new URL('../src/index.ts', import.meta.url);

it('the ESM and CommonJS copies share the pools, their configuration and poolStatus()', () => {
  const program = `
import { createRequire } from 'node:module';
const esm = await import(${JSON.stringify(source.href)});
const cjs = createRequire(import.meta.url)(${JSON.stringify(fileURLToPath(source))});
cjs.configurePools({ io: { name: 'io_from_cjs' } });
const out = {
  twoCopies: esm.ThreadPool !== cjs.ThreadPool,
  samePool: esm.getPool('cpu') === cjs.getPool('cpu'),
  configuredAcross: esm.getPool('io').name,
  status: esm.poolStatus().map((p) => p.name).sort(),
};
console.log(JSON.stringify(out));
await cjs.closePools();
`;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@support/source', '--input-type=module', '-e', program],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 30_000 },
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({
    twoCopies: true,
    samePool: true,
    configuredAcross: 'io_from_cjs',
    status: ['cpu_bound', 'io_from_cjs'],
  });
});

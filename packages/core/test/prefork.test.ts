import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCerts, opensslMissing } from './certs.js';
import { get } from './helpers.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/prefork-group.ts', import.meta.url));
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
});

/** Runs the fixture and resolves with its ports once it printed READY. */
function startFixture(env: Record<string, string> = {}): Promise<{
  child: ChildProcess;
  http: number;
  meta: number;
  both: number;
  output: string[];
}> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@support/source', FIXTURE],
    {
      cwd: PKG,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(...chunk.toString().split('\n').filter(Boolean));
      const ready = output.find((l) => l.startsWith('READY '));
      if (ready !== undefined) {
        const [, http, meta, both] = ready.split(' ');
        resolve({ child, http: Number(http), meta: Number(meta), both: Number(both), output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`fixture exited with ${code}:\n${output.join('\n')}`)),
    );
  });
}

describe('Group with prefork: true', () => {
  it('serves from worker processes, shows them merged in meta, and stops on SIGTERM', async () => {
    const { child, http, meta, output } = await startFixture();
    const pids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const reply = await get(http);
      expect(reply.status).toBe(200);
      pids.add(reply.body.trim().split(' ')[1]!);
    }
    expect(pids.size).toBe(2);
    expect(pids.has(String(child.pid))).toBe(false);

    const workers = JSON.parse((await get(meta, { path: '/workers?format=json' })).body);
    expect(JSON.stringify(workers)).toMatch(/"state":"ready"/);
    const stats = JSON.parse((await get(meta, { path: '/stats?format=json' })).body);
    expect(JSON.stringify(stats)).toContain('http.request');
    expect((await get(meta, { path: '/readyz' })).status).toBe(200);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(output).toContain('STOPPED');
  }, 60_000);

  it.skipIf(opensslMissing() !== undefined)(
    `serves HTTP and HTTPS on one port from the workers (tls.mode 'both')${opensslMissing() ? ` (skipped: ${opensslMissing()})` : ''}`,
    async () => {
      const certs = makeCerts();
      try {
        const { child, both } = await startFixture({ FIXTURE_TLS_DIR: certs.dir });
        const tls = await get(both, { https: true, ca: certs.ca });
        expect(tls.body).toMatch(/^pid \d+ https\n$/);
        expect(tls.body).not.toContain(`pid ${child.pid} `);
        expect((await get(both)).body).toMatch(/^pid \d+ http\n$/);
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        expect((await exited)[0]).toBe(0);
      } finally {
        certs.remove();
      }
    },
    60_000,
  );
});

// Installs the packed packages into a fresh app and runs it (see run.mjs).
// It builds nine packages and installs from the npm registry, so it takes
// minutes: it runs under CI (or with SUPPORT_TARBALL_TEST=1) and is skipped,
// saying so, otherwise.
import { describe, expect, it } from 'vitest';
import { run, TYPESCRIPT } from '../run.mjs';

const enabled = process.env.CI !== undefined || process.env.SUPPORT_TARBALL_TEST === '1';

describe.skipIf(!enabled)(
  'the packed packages in a new app (set SUPPORT_TARBALL_TEST=1 or CI)',
  () => {
    it(`install from tarballs, run as ESM and CommonJS and as a preforked Group, type-check with TypeScript ${TYPESCRIPT.oldest} and ${TYPESCRIPT.newest}`, async () => {
      const { out } = await run();
      expect(out.esm).toContain('esm app: ok');
      // The shed requests were logged in one line, not a stack each.
      expect(out.esmStderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^@support\/web: GET \/api\/spin answered 503 \(overloaded\): QueueFullError/,
        ),
      ]);
      expect(out.cjs).toContain('cjs app: ok');
      expect(out.group).toContain('group app: ok');
      expect(out['tsc-oldest']).toBe('');
      expect(out['tsc-newest']).toBe('');
    }, 900_000);
  },
);

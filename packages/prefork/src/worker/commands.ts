import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Context, Level } from '@support/context';

/** The built-in worker commands, acting on the worker's Context. */
export async function runCommand(
  ctx: Context,
  id: number,
  op: string,
  arg: unknown,
): Promise<unknown> {
  switch (op) {
    case 'snapshot':
      return ctx.snapshot();
    case 'profile:start':
      await ctx.setSampling(true);
      return { sampling: true };
    case 'profile:stop': {
      const hotspots = await ctx.hotspots(50);
      const file = join(tmpdir(), `sup-prefork-${process.pid}-${Date.now()}.cpuprofile`);
      let profile: unknown = null;
      try {
        await ctx.saveProfile(file);
        profile = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        profile = null;
      } finally {
        await rm(file, { force: true });
        await ctx.setSampling(false);
      }
      return { hotspots, profile };
    }
    case 'reset-stats':
      ctx.resetStats();
      return { reset: true };
    case 'log-level': {
      const a = (arg ?? {}) as { level?: unknown; logger?: unknown };
      if (a.logger !== undefined && typeof a.logger !== 'string')
        throw new Error('log-level: arg.logger must be a string');
      ctx.log.setLevel(a.level as Level, a.logger as string | undefined);
      return { level: a.level, logger: a.logger ?? null };
    }
    case 'heap-snapshot': {
      const dir = (arg as { dir?: unknown } | undefined)?.dir;
      if (typeof dir !== 'string' || dir === '')
        throw new Error('heap-snapshot: arg.dir must be a directory path');
      return writeHeapSnapshot(join(dir, `worker-${id}-${process.pid}-${Date.now()}.heapsnapshot`));
    }
    default:
      throw new Error(`unknown worker command ${JSON.stringify(op)}`);
  }
}

import { readdirSync, readFileSync } from 'node:fs';

/** Open file descriptors of this process, or null where /proc is missing. */
export function openFds(): number | null {
  try {
    // One entry is the directory handle readdir itself holds.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}

/** The soft RLIMIT_NOFILE of this process, or null when unknown or unlimited. */
export function softFdLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

/** `limit` lowered by a random fraction of at most `jitter`. */
export function jittered(limit: number, jitter: number, random = Math.random): number {
  return Math.floor(limit * (1 - jitter * random()));
}

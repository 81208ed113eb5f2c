import { readFileSync } from 'node:fs';

/** Open-file limit assumed where it cannot be read (the common Linux default). */
const FALLBACK_FD_LIMIT = 1024;

/**
 * The process's soft limit on open files, read from /proc on Linux; the
 * common default elsewhere. Node has no getrlimit, and a child `ulimit`
 * would cost a process spawn.
 */
export function openFileLimit(): number {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (match?.[1] !== undefined) {
      return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
    }
  } catch {
    // Not Linux, or /proc is not mounted.
  }
  return FALLBACK_FD_LIMIT;
}

/** Default connection cap: 80% of the fd limit, leaving room for files, listeners and pipes. */
export function defaultGlobalMaxConnections(): number {
  return Math.max(16, Math.floor(openFileLimit() * 0.8));
}

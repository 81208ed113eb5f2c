// The task module of the ESM app: every pool thread imports it.
import { createHash } from 'node:crypto';
import { cpuBound } from '@support/threadpool';

export const hash = cpuBound(import.meta.url, 'hash', (text) =>
  createHash('sha256').update(text).digest(),
);

/** Keeps its thread busy for `ms`. */
export const spin = cpuBound(import.meta.url, 'spin', (ms) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
});

// Task module: imported on the main thread and by every pool thread. Its top
// level only defines functions; the database is opened lazily, once per
// thread, inside the task that needs it.
import { scryptSync } from 'node:crypto';
import { cpuBound, ioBound } from '@support/threadpool';
import Database from 'better-sqlite3';

let db: Database.Database | undefined;
let dbPath: string | undefined;

/** This thread's connection to `path` (better-sqlite3 is synchronous and per-thread). */
function connection(path: string): Database.Database {
  if (db === undefined || dbPath !== path) {
    db?.close();
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    dbPath = path;
  }
  return db;
}

/** Runs a read query and returns all rows. Blocking, so it goes to the io_bound pool. */
export const query = ioBound(
  import.meta.url,
  'query',
  (path: string, sql: string, params: unknown[] = []) =>
    connection(path)
      .prepare(sql)
      .all(...params) as Record<string, unknown>[],
);

/** Runs a write statement; returns the number of changed rows. */
export const execute = ioBound(
  import.meta.url,
  'execute',
  (path: string, sql: string, params: unknown[] = []) =>
    connection(path)
      .prepare(sql)
      .run(...params).changes,
);

/** A deliberately slow query: SQLite counts to `n` with a recursive CTE (~0.5 s for 3e6). */
export const slowCount = ioBound(import.meta.url, 'slowCount', (path: string, n: number) => {
  const row = connection(path)
    .prepare(
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) AS n FROM c',
    )
    .get(n) as { n: number };
  return row.n;
});

/** Parses a JSON document and returns a small summary (the big object stays in the thread). */
export const parseSummary = cpuBound(import.meta.url, 'parseSummary', (text: string) => {
  const value = JSON.parse(text) as unknown;
  const items = Array.isArray(value)
    ? value.length
    : typeof value === 'object' && value !== null
      ? Object.keys(value).length
      : 1;
  return { items, bytes: Buffer.byteLength(text) };
});

/** scrypt password hash (N = 2^16: ~0.2 s of CPU), hex. */
export const hashPassword = cpuBound(
  import.meta.url,
  'hashPassword',
  (password: string, salt: string) =>
    scryptSync(password, salt, 64, { N: 2 ** 16, r: 8, p: 1, maxmem: 128 * 1024 * 1024 }).toString(
      'hex',
    ),
);

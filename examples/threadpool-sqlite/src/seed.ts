import { execute } from './tasks.js';

/** Creates the `users` table in `dbPath` with `count` rows (through the io_bound pool). */
export async function seed(dbPath: string, count = 1000): Promise<void> {
  await execute(
    dbPath,
    'CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)',
  );
  await execute(
    dbPath,
    `INSERT OR REPLACE INTO users (id, name, email)
     WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
     SELECT x, 'user ' || x, 'user' || x || '@example.com' FROM c`,
    [count],
  );
}

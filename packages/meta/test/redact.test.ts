import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MASK, Redactor } from '../src/index.js';

describe('Redactor', () => {
  const r = new Redactor(['INTERNAL_ID']);

  test('masks variables by name and credentials inside URLs', () => {
    const { variables, masked } = r.environment({
      PATH: '/usr/bin',
      AWS_SECRET_ACCESS_KEY: 'abc',
      GITHUB_TOKEN: 'ghp_x',
      DB_PASSWORD: 'pw',
      Authorization: 'Basic x',
      session_cookie: 'c',
      PRIVATE_PEM: '-----BEGIN',
      MY_INTERNAL_ID: '42',
      DATABASE_URL: 'postgres://app:hunter2@db.internal:5432/app',
      CACHE: 'redis://:tok3n@cache:6379',
      PLAIN_URL: 'https://example.com/x',
    });
    expect(variables.PATH).toBe('/usr/bin');
    for (const name of [
      'AWS_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN',
      'DB_PASSWORD',
      'Authorization',
      'session_cookie',
      'PRIVATE_PEM',
      'MY_INTERNAL_ID',
    ]) {
      expect(variables[name], name).toBe(MASK);
    }
    expect(variables.DATABASE_URL).toBe(`postgres://app:${MASK}@db.internal:5432/app`);
    expect(variables.CACHE).toBe(`redis://:${MASK}@cache:6379`);
    expect(variables.PLAIN_URL).toBe('https://example.com/x');
    expect(masked).toEqual(expect.arrayContaining(['DATABASE_URL', 'CACHE', 'GITHUB_TOKEN']));
    expect(masked).not.toContain('PATH');
  });

  test('masks argv: --flag=value, --flag value, NAME=value and URLs', () => {
    expect(
      r.argv([
        'node',
        'app.js',
        '--token=s1',
        '--password',
        's2',
        '--port',
        '80',
        'API_KEY=s3',
        '--db=mysql://u:s4@h/d',
        '-v',
      ]),
    ).toEqual([
      'node',
      'app.js',
      `--token=${MASK}`,
      '--password',
      MASK,
      '--port',
      '80',
      `API_KEY=${MASK}`,
      `--db=mysql://u:${MASK}@h/d`,
      '-v',
    ]);
  });

  test('a secret value never survives, whatever surrounds it (property)', () => {
    const secret = 'Zq9xVALUEx7pq';
    fc.assert(
      fc.property(
        fc.constantFrom('--api-key=', '--auth-token=', 'SECRET=', 'https://user:', 'ftp://'),
        fc.string({ maxLength: 10 }),
        (prefix, tail) => {
          const arg = prefix.includes('://')
            ? `${prefix}${secret}@host/${tail}`
            : `${prefix}${secret}${tail.replace(/[\s@]/g, '')}`;
          return r.argv([arg]).every((a) => !a.includes(secret));
        },
      ),
    );
  });
});

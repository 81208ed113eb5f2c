import { expect, test } from 'vitest';
import { ASSET_NAMES } from '../src/static.js';
import { bundleFixture, startChild } from './child.js';
import { VIEW_PATHS } from './helpers.js';

// Distinct values, none of which contains a secret-looking word itself.
const SECRETS = {
  env: 'qz81envVALUEaa',
  url: 'qz82urlVALUEbb',
  flag: 'qz83flagVALUEcc',
  spaced: 'qz84spacedVALUEdd',
  pair: 'qz85pairVALUEee',
};

test('a secret planted in the environment and in argv never appears in any response', async () => {
  const script = await bundleFixture();
  const { url } = await startChild(
    script,
    {
      SERVICE_API_KEY: SECRETS.env,
      DATABASE_URL: `postgres://app:${SECRETS.url}@db.internal:5432/app`,
    },
    [`--auth-token=${SECRETS.flag}`, '--password', SECRETS.spaced, `CLIENT_SECRET=${SECRETS.pair}`],
    ['--title=meta-child'],
  );
  const paths = [
    ...VIEW_PATHS,
    '/stats/req.latency?kind=durations',
    '/metrics',
    '/healthz',
    '/readyz',
    '/login',
    '/profile/cpuprofile',
    ...ASSET_NAMES.map((n) => `/assets/${n}`),
  ];
  let fetched = 0;
  for (const path of paths) {
    for (const accept of ['application/json', 'text/html', 'application/openmetrics-text', '*/*']) {
      const r = await fetch(`${url}${path}`, { headers: { accept } });
      const body = await r.text();
      const headers = JSON.stringify([...r.headers]);
      fetched++;
      for (const [where, secret] of Object.entries(SECRETS)) {
        expect(body.includes(secret), `${where} secret in ${path} (${accept})`).toBe(false);
        expect(headers.includes(secret), `${where} secret in headers of ${path}`).toBe(false);
      }
    }
  }
  expect(fetched).toBe(paths.length * 4);
  // The pages did show the masked names, so the views were really rendered.
  const env = (await (await fetch(`${url}/environment?format=json`)).json()) as {
    variables: Record<string, string>;
    argv: string[];
  };
  expect(env.variables.SERVICE_API_KEY).toBe('********');
  expect(env.variables.DATABASE_URL).toBe('postgres://app:********@db.internal:5432/app');
  expect(env.argv).toEqual(
    expect.arrayContaining([
      '--auth-token=********',
      '--password',
      '********',
      'CLIENT_SECRET=********',
    ]),
  );
}, 60_000);

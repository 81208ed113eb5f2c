export { seed } from './seed.js';
export { type AppOptions, createAppServer } from './server.js';
export { execute, hashPassword, parseSummary, query, slowCount } from './tasks.js';

/** Pool options for running this example from its TypeScript sources (tests, `pnpm start`). */
export const fromSource = {
  preload: [new URL('./ts-threads.mjs', import.meta.url)],
  execArgv: ['--conditions=@support/source'],
};

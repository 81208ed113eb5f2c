import type { ThreadPoolOptions } from '../src/index.js';

/** Pool options that let threads load the package and fixtures from TypeScript sources. */
export const FROM_SOURCE: Pick<ThreadPoolOptions, 'preload' | 'execArgv'> = {
  preload: [new URL('./fixtures/ts-loader.mjs', import.meta.url)],
  execArgv: ['--conditions=@support/source'],
};

/** A fixture module's file URL. */
export function fixture(name: string): string {
  return new URL(`./fixtures/${name}`, import.meta.url).href;
}

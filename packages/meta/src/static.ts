// The page assets: the package's own CSS and scripts (src/assets, copied to
// dist/assets by the build) and uPlot from the installed `uplot` package, so
// the pages work offline with no CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
}

const OWN: Record<string, string> = {
  'meta.css': 'text/css; charset=utf-8',
  'meta.js': 'text/javascript; charset=utf-8',
  'flame.js': 'text/javascript; charset=utf-8',
};

const UPLOT: Record<string, [string, string]> = {
  'uPlot.iife.min.js': ['uplot/dist/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
  'uPlot.min.css': ['uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
};

const cache = new Map<string, Asset>();

/** The asset called `name`, read once; undefined for any other name. */
export function asset(name: string): Asset | undefined {
  const hit = cache.get(name);
  if (hit) return hit;
  let found: Asset | undefined;
  const own = OWN[name];
  if (own !== undefined) {
    found = {
      type: own,
      body: readFileSync(fileURLToPath(new URL(`./assets/${name}`, import.meta.url))),
    };
  }
  const up = UPLOT[name];
  if (up !== undefined) {
    const require = createRequire(import.meta.url);
    found = { type: up[1], body: readFileSync(require.resolve(up[0])) };
  }
  if (found) cache.set(name, found);
  return found;
}

/** Names of every asset served under `/assets/`. */
export const ASSET_NAMES: readonly string[] = [...Object.keys(OWN), ...Object.keys(UPLOT)];

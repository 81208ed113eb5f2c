/**
 * One value per process under `key`, whichever copy of a package asks: an
 * app that loads both the ESM and the CommonJS build (an ESM app with a
 * CommonJS dependency) gets two copies of every module, and process-wide
 * state (the default context, the shared pools) must not split between them.
 * The key names the state's shape version (`…@1`): copies that agree on the
 * shape share it; a copy with another shape keeps its own.
 */
export function processWide<T extends object>(key: string, create: () => T): T {
  const symbol = Symbol.for(key);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  let value = holder[symbol];
  if (value === undefined) {
    value = create();
    Object.defineProperty(globalThis, symbol, { value, enumerable: false, writable: false });
  }
  return value;
}

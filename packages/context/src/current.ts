import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from './context.js';

// Which Context code reports into: one scoped with runWithContext() if any,
// otherwise the default one. The default is created on first use so that a
// library which only reads getContext() costs nothing until it is called.

const scoped = new AsyncLocalStorage<Context>();
let defaultContext: Context | undefined;

/** The context in scope (see {@link runWithContext}), else the default one, created on first use. */
export function getContext(): Context {
  const inScope = scoped.getStore();
  if (inScope !== undefined) return inScope;
  if (defaultContext === undefined || defaultContext.closed) defaultContext = new Context();
  return defaultContext;
}

/** Replaces the default context (the previous one is not closed; that is the caller's call). */
export function setContext(ctx: Context): void {
  if (!(ctx instanceof Context)) throw new TypeError('setContext(ctx): ctx must be a Context');
  defaultContext = ctx;
}

/** Runs `fn` with `ctx` as the context that {@link getContext} returns inside it and everything it starts. */
export function runWithContext<T>(ctx: Context, fn: () => T): T {
  if (!(ctx instanceof Context))
    throw new TypeError('runWithContext(ctx, fn): ctx must be a Context');
  return scoped.run(ctx, fn);
}

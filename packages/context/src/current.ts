import { AsyncLocalStorage } from 'node:async_hooks';
import { Context } from './context.js';
import type { ContextOptions } from './options.js';
import { processWide } from './process-wide.js';

// Which Context code reports into: one scoped with runWithContext() if any,
// otherwise the default one. The default is created on first use so that a
// library which only reads getContext() costs nothing until it is called, and
// it starts no thread: a library (connmgr, threadpool) that reports into
// getContext() must not start a watchdog thread or an inspector session in an
// app that never asked for one. The monitor (unref'd timers) stays on.

// Kept once per process (see processWide), so the ESM and CommonJS builds
// loaded side by side agree on the default and the scoped context.
const state = processWide('@support/context:current@1', () => ({
  scoped: new AsyncLocalStorage<Context>(),
  defaultContext: undefined as Context | undefined,
}));

/**
 * Options of the default context that {@link getContext} creates: today's
 * defaults but the long-block watchdog off. A service that wants the watchdog
 * creates its own context (`new Context()` has it on) and passes it to
 * {@link setContext}, or calls `getContext().setWatchdog(true)`.
 */
const defaultContextOptions = { watchdog: false } as const satisfies ContextOptions;

/** The context in scope (see {@link runWithContext}), else the default one, created on first use (watchdog off). */
export function getContext(): Context {
  const inScope = state.scoped.getStore();
  if (inScope !== undefined) return inScope;
  if (state.defaultContext === undefined || state.defaultContext.closed)
    state.defaultContext = new Context(defaultContextOptions);
  return state.defaultContext;
}

/** Replaces the default context (the previous one is not closed; that is the caller's call). */
export function setContext(ctx: Context): void {
  if (!(ctx instanceof Context)) throw new TypeError('setContext(ctx): ctx must be a Context');
  state.defaultContext = ctx;
}

/** Runs `fn` with `ctx` as the context that {@link getContext} returns inside it and everything it starts. */
export function runWithContext<T>(ctx: Context, fn: () => T): T {
  if (!(ctx instanceof Context))
    throw new TypeError('runWithContext(ctx, fn): ctx must be a Context');
  return state.scoped.run(ctx, fn);
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { ContextError } from './errors.js';

// gevent greenlets carried `locals` to the greenlets they spawned. Here a
// scope is a small map that points at its parent scope; AsyncLocalStorage
// carries the innermost scope to everything started asynchronously inside it,
// so a child sees its ancestors' values (including ones set later) while
// siblings, which each have their own scope, never see each other's.

interface Scope {
  readonly parent: Scope | undefined;
  values: Map<string, unknown> | undefined;
}

const storage = new AsyncLocalStorage<Scope>();

/**
 * Runs `fn` in a new locals scope nested in the current one and returns what
 * `fn` returns (a promise stays a promise). Values set inside are seen by
 * everything `fn` starts, synchronously or asynchronously, and not outside.
 */
export function withLocals<T>(fn: () => T): T {
  return storage.run({ parent: storage.getStore(), values: undefined }, fn);
}

/** The value of `name` in the innermost scope that set it, or `undefined`. */
export function getLocal<T = unknown>(name: string): T | undefined {
  for (let scope = storage.getStore(); scope !== undefined; scope = scope.parent) {
    if (scope.values?.has(name)) return scope.values.get(name) as T;
  }
  return undefined;
}

/** True when `name` is set in the current scope or one of its ancestors. */
export function hasLocal(name: string): boolean {
  for (let scope = storage.getStore(); scope !== undefined; scope = scope.parent) {
    if (scope.values?.has(name)) return true;
  }
  return false;
}

/**
 * Sets `name` in the current (innermost) scope. Outside every `withLocals`
 * scope there is nowhere to put it, so this throws rather than create hidden
 * process-wide state.
 */
export function setLocal(name: string, value: unknown): void {
  const scope = storage.getStore();
  if (scope === undefined) {
    throw new ContextError(
      'SUP_ERR_CONTEXT_NO_SCOPE',
      `setLocal(${JSON.stringify(name)}) called outside withLocals(); wrap the work in withLocals(fn)`,
    );
  }
  (scope.values ??= new Map()).set(name, value);
}

/** All names visible from the current scope with their values, innermost first. */
export function localsSnapshot(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let scope = storage.getStore(); scope !== undefined; scope = scope.parent) {
    if (scope.values === undefined) continue;
    for (const [name, value] of scope.values) if (!(name in out)) out[name] = value;
  }
  return out;
}

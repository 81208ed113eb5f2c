// The registry of long-lived parts of a service (connection managers, thread
// pools, the arbiter, Group): each registers itself with a status() that
// returns plain JSON, and meta lists whatever is there, so nothing has to be
// wired by hand. Entries are held weakly: a component that is dropped without
// close() disappears from the list once collected instead of being kept alive
// by it.
import { ContextOptionError } from './errors.js';

/** What a component registers: its kind and a status() returning plain JSON. */
export interface Component {
  /** What sort of component it is: 'connmgr', 'threadpool', 'arbiter', 'group', 'web-app', … */
  readonly kind: string;
  /** Its state as plain JSON; may throw (the error is reported in the list). */
  status(): unknown;
}

/** One entry of `ctx.components.list()` and of `snapshot().components`. */
export interface ComponentInfo {
  /** The registered name; a taken name gets a suffix: `connmgr#2`. */
  name: string;
  kind: string;
  /** What status() returned (through JSON), or `{ error }` when it threw or was not JSON. */
  status: unknown;
}

/** Counters of the registry itself; `snapshot().componentRegistry`. */
export interface ComponentsInfo {
  /** Entries held now (collected ones may linger until the next list()). */
  size: number;
  /** Most entries held; registrations past it are refused and counted. */
  maxComponents: number;
  /** Registrations refused because the registry was full. */
  overflow: number;
  /** Components garbage-collected without unregistering. */
  collected: number;
}

/** Most components one context holds. */
export const MAX_COMPONENTS = 256;

interface Entry {
  readonly ref: WeakRef<Component>;
  readonly kind: string;
}

/**
 * `ctx.components`: a bounded, weakly held registry of named components.
 * Hold on to the registered object yourself (register the component itself,
 * or keep the object in one of its fields): an object only the registry
 * refers to is collected and drops out of the list.
 */
export class Components {
  private readonly entries = new Map<string, Entry>();
  private overflowCount = 0;
  private collectedCount = 0;
  private readonly finalizer = new FinalizationRegistry<{ name: string; entry: Entry }>(
    ({ name, entry }) => {
      if (this.entries.get(name) === entry) {
        this.entries.delete(name);
        this.collectedCount++;
      }
    },
  );

  constructor(readonly maxComponents: number = MAX_COMPONENTS) {}

  /**
   * Registers `component` under `name` (suffixed `#2`, `#3`, … when taken).
   * Returns the function that unregisters it, idempotent. When the registry
   * is full the component is not listed, the refusal is counted, and the
   * returned function does nothing.
   */
  register(name: string, component: Component): () => void {
    if (typeof name !== 'string' || name.length === 0)
      throw new ContextOptionError('components.register(name)', 'must be a non-empty string');
    if (typeof component !== 'object' || component === null)
      throw new ContextOptionError('components.register(…, component)', 'must be an object');
    if (typeof component.kind !== 'string' || component.kind.length === 0)
      throw new ContextOptionError(
        'components.register(…, component).kind',
        'must be a non-empty string',
      );
    if (typeof component.status !== 'function')
      throw new ContextOptionError(
        'components.register(…, component).status',
        'must be a function',
      );
    if (this.entries.size >= this.maxComponents) this.prune();
    if (this.entries.size >= this.maxComponents) {
      this.overflowCount++;
      return () => {};
    }
    const key = this.freeName(name);
    const entry: Entry = { ref: new WeakRef(component), kind: component.kind };
    const token = {};
    this.entries.set(key, entry);
    this.finalizer.register(component, { name: key, entry }, token);
    return () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      this.finalizer.unregister(token);
    };
  }

  /** Every live component with its status, in registration order. Never throws. */
  list(): ComponentInfo[] {
    const out: ComponentInfo[] = [];
    for (const [name, entry] of this.entries) {
      const component = entry.ref.deref();
      if (component === undefined) {
        this.entries.delete(name);
        this.collectedCount++;
        continue;
      }
      out.push({ name, kind: entry.kind, status: statusOf(component) });
    }
    return out;
  }

  /** Names registered now. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  info(): ComponentsInfo {
    return {
      size: this.entries.size,
      maxComponents: this.maxComponents,
      overflow: this.overflowCount,
      collected: this.collectedCount,
    };
  }

  private freeName(name: string): string {
    if (!this.entries.has(name)) return name;
    for (let i = 2; ; i++) {
      const candidate = `${name}#${i}`;
      if (!this.entries.has(candidate)) return candidate;
    }
  }

  private prune(): void {
    for (const [name, entry] of this.entries) {
      if (entry.ref.deref() === undefined) {
        this.entries.delete(name);
        this.collectedCount++;
      }
    }
  }
}

/**
 * A component's status as plain JSON: what status() returned, passed through
 * JSON so a snapshot can cross a process boundary; a throw, or a value JSON
 * cannot hold (a cycle, a BigInt), gives `{ error }`.
 */
function statusOf(component: Component): unknown {
  let status: unknown;
  try {
    status = component.status();
  } catch (error) {
    return { error: messageOf(error, 'status() threw') };
  }
  try {
    const json = JSON.stringify(status);
    return json === undefined ? null : JSON.parse(json);
  } catch (error) {
    return { error: `status() is not JSON: ${messageOf(error, 'unserializable')}` };
  }
}

function messageOf(error: unknown, fallback: string): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return fallback;
  }
}

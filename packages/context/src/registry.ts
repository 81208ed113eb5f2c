// Registries hand out one object per name, created on first use, the way the
// original's defaultdicts did, but bounded: a service that builds names from
// request data must not grow without limit. Past the limit every new name
// shares one overflow entry (so its data is still recorded, merged) and the
// registry counts how often that happened.

/** The name under which overflowed and unusable names are recorded together. */
export const OVERFLOW_NAME = '__overflow__';

/** Counters a registry keeps about itself; part of the context snapshot. */
export interface RegistryInfo {
  /** Names currently held (the overflow entry included). */
  size: number;
  /** The documented maximum number of names. */
  maxNames: number;
  /** Lookups of a new name that went to the overflow entry because the registry was full. */
  overflow: number;
  /** Lookups whose name could not be turned into a string (e.g. a throwing `toString`). */
  badNames: number;
  /** Names dropped to make room (volatile registries only). */
  evicted: number;
}

/** A name-to-object map with a hard size limit; see the module comment. */
export class Registry<T> {
  protected readonly items = new Map<string, T>();
  protected overflowCount = 0;
  protected badNameCount = 0;
  protected evictedCount = 0;

  constructor(
    protected readonly create: (name: string) => T,
    readonly maxNames: number,
  ) {}

  /** The object for `name`, created on first use. Never throws for a bad name. */
  get(name: string): T {
    const key = this.key(name);
    const found = this.items.get(key);
    if (found !== undefined) return found;
    return this.add(key);
  }

  has(name: string): boolean {
    return typeof name === 'string' && this.items.has(name);
  }

  names(): string[] {
    return [...this.items.keys()];
  }

  entries(): IterableIterator<[string, T]> {
    return this.items.entries();
  }

  get size(): number {
    return this.items.size;
  }

  delete(name: string): boolean {
    return this.items.delete(name);
  }

  /** Drops every name and zeroes the counters. */
  clear(): void {
    this.items.clear();
    this.overflowCount = 0;
    this.badNameCount = 0;
    this.evictedCount = 0;
  }

  info(): RegistryInfo {
    return {
      size: this.items.size,
      maxNames: this.maxNames,
      overflow: this.overflowCount,
      badNames: this.badNameCount,
      evicted: this.evictedCount,
    };
  }

  /** `name` as a string; anything unusable is counted and mapped to the overflow entry. */
  protected key(name: unknown): string {
    if (typeof name === 'string') return name;
    try {
      return String(name);
    } catch {
      this.badNameCount++;
      return OVERFLOW_NAME;
    }
  }

  protected add(key: string): T {
    if (key !== OVERFLOW_NAME && this.items.size >= this.maxNames) {
      this.overflowCount++;
      return this.overflowEntry();
    }
    const item = this.create(key);
    this.items.set(key, item);
    return item;
  }

  protected overflowEntry(): T {
    let entry = this.items.get(OVERFLOW_NAME);
    if (entry === undefined) {
      entry = this.create(OVERFLOW_NAME);
      this.items.set(OVERFLOW_NAME, entry);
    }
    return entry;
  }
}

/**
 * A registry for high-cardinality names: when full it forgets the least
 * recently used name instead of overflowing, and counts the eviction.
 */
export class VolatileRegistry<T> extends Registry<T> {
  override get(name: string): T {
    const key = this.key(name);
    const found = this.items.get(key);
    if (found !== undefined) {
      // Map keeps insertion order; re-inserting makes this the most recent.
      this.items.delete(key);
      this.items.set(key, found);
      return found;
    }
    return this.add(key);
  }

  protected override add(key: string): T {
    if (this.items.size >= this.maxNames) {
      const oldest = this.items.keys().next();
      if (!oldest.done) {
        this.items.delete(oldest.value);
        this.evictedCount++;
      }
    }
    const item = this.create(key);
    this.items.set(key, item);
    return item;
  }
}

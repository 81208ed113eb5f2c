// Snapshots are the expensive part of every view (each statistic copies its
// sketch, recent points and windows), so requests arriving together share
// one: a snapshot is reused for `snapshotTtl` ms, concurrent requests wait
// for the same one, and any mutation drops them.

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

/** A tiny keyed cache of promises with a time to live; failures are not kept. */
export class SnapshotCache {
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(
    private readonly ttl: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttl <= 0) return load();
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && t - hit.at < this.ttl) return hit.value as Promise<T>;
    const value = load();
    const entry = { at: t, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

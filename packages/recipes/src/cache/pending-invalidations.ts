/**
 * Invalidations (delete, set, update, deleteByPrefix, clear) that could not reach Redis, kept
 * until they can be replayed as UNLINK / SCAN+UNLINK. Bounded: when a new entry would exceed
 * `maxEntries`, everything collapses into "the whole prefix is stale" (the empty sub-prefix),
 * which the cache replays by clearing its prefix. Nothing is ever dropped silently.
 */

/** A snapshot entry: what to invalidate and the version that recorded it. */
export interface PendingEntry {
  value: string;
  version: number;
}

/** What `add*` did. */
export type AddOutcome = 'added' | 'covered' | 'overflow';

export class PendingInvalidations {
  private readonly keys = new Map<string, number>();
  private readonly prefixes = new Map<string, number>();
  private version = 0;

  constructor(private readonly maxEntries: number) {}

  /** Number of pending keys plus prefixes. */
  get size(): number {
    return this.keys.size + this.prefixes.size;
  }

  /** True once an overflow (or a failed clear) made the whole prefix pending. */
  get everything(): boolean {
    return this.prefixes.has('');
  }

  addKey(key: string): AddOutcome {
    if (this.coveredByPrefix(key)) return 'covered';
    if (!this.keys.has(key) && this.size >= this.maxEntries) return this.overflow();
    this.keys.set(key, ++this.version);
    return 'added';
  }

  /** `prefix === ''` means every key. */
  addPrefix(prefix: string): AddOutcome {
    if (prefix !== '' && this.coveredByPrefix(prefix)) return 'covered';
    if (prefix === '') {
      this.keys.clear();
      this.prefixes.clear();
      this.prefixes.set('', ++this.version);
      return 'added';
    }
    for (const key of [...this.keys.keys()]) if (key.startsWith(prefix)) this.keys.delete(key);
    for (const p of [...this.prefixes.keys()]) if (p.startsWith(prefix)) this.prefixes.delete(p);
    if (this.size >= this.maxEntries) return this.overflow();
    this.prefixes.set(prefix, ++this.version);
    return 'added';
  }

  /** True if a read of `key` from Redis may return a value invalidated while Redis was down. */
  isPending(key: string): boolean {
    return this.keys.has(key) || this.coveredByPrefix(key);
  }

  /** A successful write of `key` to Redis supersedes its pending invalidation. */
  supersede(key: string): void {
    this.keys.delete(key);
  }

  snapshot(): { keys: PendingEntry[]; prefixes: PendingEntry[] } {
    const toEntries = (m: Map<string, number>): PendingEntry[] =>
      [...m].map(([value, version]) => ({ value, version }));
    return { keys: toEntries(this.keys), prefixes: toEntries(this.prefixes) };
  }

  /** Marks a replayed key done, unless it was re-added after the snapshot. */
  resolveKey(entry: PendingEntry): void {
    if (this.keys.get(entry.value) === entry.version) this.keys.delete(entry.value);
  }

  resolvePrefix(entry: PendingEntry): void {
    if (this.prefixes.get(entry.value) === entry.version) this.prefixes.delete(entry.value);
  }

  private overflow(): AddOutcome {
    this.addPrefix('');
    return 'overflow';
  }

  private coveredByPrefix(key: string): boolean {
    if (this.prefixes.size === 0) return false;
    for (const p of this.prefixes.keys()) if (key.startsWith(p)) return true;
    return false;
  }
}

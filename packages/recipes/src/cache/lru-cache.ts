/** A bounded in-process LRU with per-entry expiry, driven by an injectable clock. */

/** Options of {@link LruCache}. */
export interface LruCacheOptions {
  /** Most entries kept; the least recently used is evicted beyond it. */
  maxEntries: number;
  /** Longest an entry lives, in milliseconds (a shorter TTL may be given per entry). */
  ttlMs: number;
  /** Time source. */
  clock: { now(): number };
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** LRU over a Map (insertion order = recency). Values must not be `undefined`. */
export class LruCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly options: LruCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live value, refreshed as most recently used; `undefined` if absent or expired. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.options.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for min(ttlMs, options.ttlMs) ms, evicting the least recently used. */
  set(key: string, value: V, ttlMs: number = this.options.ttlMs): void {
    const ttl = Math.min(ttlMs, this.options.ttlMs);
    this.entries.delete(key);
    if (ttl <= 0) return;
    this.entries.set(key, { value, expiresAt: this.options.clock.now() + ttl });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(prefix)) {
        this.entries.delete(key);
        n += 1;
      }
    }
    return n;
  }

  clear(): void {
    this.entries.clear();
  }
}

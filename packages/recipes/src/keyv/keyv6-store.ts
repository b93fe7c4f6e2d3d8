/**
 * BreakwaterKeyv6Store: the Keyv 6 storage adapter (Keyv 6 needs Node >= 22.19). Keyv 6 moved
 * two things into the adapter: the namespace (keys arrive bare, `namespace` is set on the
 * adapter) and expiry (`set` gets an absolute `expires` timestamp, and an adapter declaring
 * `capabilities.expires` is used as is rather than wrapped in Keyv's bridge). This class does
 * both and delegates everything else to {@link BreakwaterKeyvStore}, so the outage contract is
 * the same one and the Redis layout too (`<prefix><namespace>:<key>`): data written through
 * Keyv 5 is read through Keyv 6.
 */
import type { StoredData } from 'keyv';
import type { CacheStats } from '../cache/cache.js';
import type { DegradedEvent } from '../degradation-reporter.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import { BreakwaterKeyvStore } from './keyv-store.js';
import type { BreakwaterKeyvStoreOptions } from './keyv-store.js';

/** One entry of Keyv 6's `setMany`: `expires` is absolute (ms since the epoch), if any. */
export interface Keyv6StorageEntry {
  key: string;
  value: unknown;
  expires?: number;
}

/** The capability descriptor Keyv 6 reads (`keyvStorageCapability` shape). */
export interface Keyv6StorageCapability {
  compatible: true;
  store: 'keyvStorage';
  /** Declares the Keyv 6 contract: `set` takes an absolute `expires`. */
  expires: true;
  methods: Record<string, { exists: boolean; methodType: 'async' | 'none' }>;
}

const METHODS = [
  'get',
  'getMany',
  'has',
  'hasMany',
  'set',
  'setMany',
  'delete',
  'deleteMany',
  'clear',
  'disconnect',
] as const;

const CAPABILITIES: Keyv6StorageCapability = {
  compatible: true,
  store: 'keyvStorage',
  expires: true,
  methods: {
    ...Object.fromEntries(METHODS.map((m) => [m, { exists: true, methodType: 'async' as const }])),
    iterator: { exists: false, methodType: 'none' },
  },
};

/**
 * A Keyv 6 storage adapter that degrades instead of failing: a read is a miss, a write resolves
 * false, nothing hangs past the adapter's deadline, nothing rejects, no `error` is emitted.
 */
export class BreakwaterKeyv6Store {
  /** The options given; never contains credentials. */
  readonly opts: Readonly<BreakwaterKeyvStoreOptions>;
  private readonly store: BreakwaterKeyvStore;

  constructor(adapter: RecipeAdapter, options: BreakwaterKeyvStoreOptions = {}) {
    this.store = new BreakwaterKeyvStore(adapter, options);
    this.opts = this.store.opts;
  }

  /** Read by Keyv 6: declares the absolute-`expires` contract, so Keyv uses this store as is. */
  get capabilities(): Keyv6StorageCapability {
    return CAPABILITIES;
  }

  /** Set by Keyv 6 (its namespace); prefixes every key and scopes clear(). */
  get namespace(): string | undefined {
    return this.store.namespace;
  }

  set namespace(namespace: string | undefined) {
    this.store.namespace = namespace;
  }

  /** The stored data, or undefined on a miss, an outage or a corrupt value. */
  get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.store.get<Value>(this.keyOf(key));
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value> | undefined>> {
    return Promise.all(keys.map((k) => this.get<Value>(k)));
  }

  /** True when the key is there (false on a miss or an outage). */
  has(key: string): Promise<boolean> {
    return this.store.has(this.keyOf(key));
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.has(k)));
  }

  /**
   * Resolves true when Redis acknowledged the write, false during an outage (never rejects).
   * `expires` is absolute (ms since the epoch); one already past deletes the key instead.
   */
  async set(key: string, value: unknown, expires?: number): Promise<boolean> {
    if (typeof expires === 'number' && Number.isFinite(expires)) {
      const ttl = expires - Date.now();
      if (ttl <= 0) {
        await this.store.delete(this.keyOf(key));
        return true;
      }
      return this.store.set(this.keyOf(key), value, ttl);
    }
    return this.store.set(this.keyOf(key), value);
  }

  /** Writes each entry (one call per key, each settles by the deadline); one boolean each. */
  async setMany(entries: Keyv6StorageEntry[]): Promise<boolean[]> {
    return Promise.all(entries.map((e) => this.set(e.key, e.value, e.expires)));
  }

  /** Resolves true when Redis acknowledged the delete; false during an outage. */
  delete(key: string): Promise<boolean> {
    return this.store.delete(this.keyOf(key));
  }

  async deleteMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.delete(k)));
  }

  /** Deletes the keys of the namespace (all of the prefix without one): SCAN + UNLINK. */
  clear(): Promise<void> {
    return this.store.clear();
  }

  /** Stops the cache's background work. The adapter is yours: close it yourself. */
  disconnect(): Promise<void> {
    return this.store.disconnect();
  }

  /** The cache's counters (hits, misses, degraded answers by reason…). */
  stats(): CacheStats {
    return this.store.stats();
  }

  /** `'degraded'` only; the store never emits `'error'` (see {@link BreakwaterKeyvStore.on}). */
  on(event: string, listener: (...args: never[]) => void): this {
    this.store.on(event, listener);
    return this;
  }

  /** Subscribes to `degraded` events; returns the unsubscribe function. */
  onDegraded(listener: (e: DegradedEvent) => void): Unsubscribe {
    return this.store.onDegraded(listener);
  }

  /** Keyv 6 passes bare keys: the namespace is the adapter's to apply (as Keyv 5 did). */
  private keyOf(key: string): string {
    const ns = this.store.namespace;
    return ns === undefined || ns === '' ? key : `${ns}:${key}`;
  }
}

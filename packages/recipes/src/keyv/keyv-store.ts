/**
 * BreakwaterKeyvStore: a Keyv 5 storage adapter over the recipe cache, so that `new Keyv`,
 * cache-manager 7 and cacheable (all built on Keyv) get the cache's outage contract: a read is
 * a miss, a write resolves false, nothing hangs past the adapter's deadline, nothing rejects.
 */
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { createCache } from '../cache/cache.js';
import type { Cache, CacheStats } from '../cache/cache.js';
import type { CacheOptions } from '../cache/cache-options.js';
import type { DegradedEvent } from '../degradation-reporter.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import { assertOptionsObject } from '../validate-options.js';

/** Options of {@link BreakwaterKeyvStore}: the recipe cache's, with a default prefix. */
export interface BreakwaterKeyvStoreOptions extends Omit<CacheOptions, 'prefix'> {
  /**
   * Prefix of every Redis key; Keyv adds its namespace (`<prefix><namespace>:<key>`).
   * @default 'breakwater:keyv:'
   */
  prefix?: string;
}

/** Defaults of {@link BreakwaterKeyvStoreOptions} (the rest are the cache's). */
export const DEFAULT_KEYV_STORE_OPTIONS = { prefix: 'breakwater:keyv:' } as const;

const WHERE = 'BreakwaterKeyvStore';
const KEYS = [
  'prefix',
  'defaultTtlMs',
  'l1',
  'scanCount',
  'maxPendingInvalidations',
  'operationTimeout',
  'clock',
];

/**
 * A Keyv storage adapter that degrades instead of failing. Keyv passes its serialized
 * `{ value, expires }` (or, without a serializer, the object itself); the store keeps it as JSON
 * under `<prefix><key>` with the TTL Keyv gives, or the cache's `defaultTtlMs` when it gives none.
 */
export class BreakwaterKeyvStore implements KeyvStoreAdapter {
  /** The options given (Keyv reads `opts`); never contains credentials. */
  readonly opts: Readonly<BreakwaterKeyvStoreOptions>;
  /** Set by Keyv: its namespace, already part of the keys it passes; scopes clear(). */
  namespace?: string | undefined;
  private readonly cache: Cache;

  constructor(adapter: RecipeAdapter, options: BreakwaterKeyvStoreOptions = {}) {
    assertOptionsObject(WHERE, options, KEYS);
    this.opts = { ...options };
    this.cache = createCache(adapter, { ...DEFAULT_KEYV_STORE_OPTIONS, ...options });
  }

  /** The stored data, or undefined on a miss, an outage or a corrupt value. */
  get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.cache.get<StoredData<Value>>(key);
  }

  /** Resolves true when Redis acknowledged the write, false during an outage (never rejects). */
  set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    return this.cache.set(key, value, ttlOf(ttl));
  }

  /** Writes each entry (one call per key; each settles by the deadline). */
  async setMany(values: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    await Promise.all(values.map((v) => this.set(v.key, v.value, v.ttl)));
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((k) => this.get<Value>(k)));
  }

  /** True when the key is there (false on a miss or an outage). */
  async has(key: string): Promise<boolean> {
    return (await this.cache.get(key)) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((k) => this.has(k)));
  }

  /** Resolves true when Redis acknowledged the delete; false during an outage (key queued for invalidation). */
  delete(key: string): Promise<boolean> {
    return this.cache.delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return (await Promise.all(keys.map((k) => this.delete(k)))).every(Boolean);
  }

  /** Deletes the keys of Keyv's namespace (all of the prefix without one): SCAN + UNLINK. */
  async clear(): Promise<void> {
    if (this.namespace === undefined || this.namespace === '') await this.cache.clear();
    else await this.cache.deleteByPrefix(`${this.namespace}:`);
  }

  /** Stops the cache's background work. The adapter is yours: close it yourself. */
  async disconnect(): Promise<void> {
    this.cache.dispose();
  }

  /** The cache's counters (hits, misses, degraded answers by reason…). */
  stats(): CacheStats {
    return this.cache.stats();
  }

  /**
   * `'degraded'`: one event per answer given from the outage contract. Keyv subscribes to
   * `'error'`; the store never emits it (an outage is not an error here), so Keyv never
   * re-emits one that an application without an error listener would crash on.
   */
  on(event: string, listener: (...args: never[]) => void): this {
    if (event === 'degraded') this.onDegraded(listener as (e: DegradedEvent) => void);
    return this;
  }

  /** Subscribes to `degraded` events; returns the unsubscribe function. */
  onDegraded(listener: (e: DegradedEvent) => void): Unsubscribe {
    return this.cache.on('degraded', listener);
  }
}

/** Keyv's TTL (ms, maybe fractional, 0 or undefined for "none") → the cache's. */
function ttlOf(ttl: number | undefined): number | undefined {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? Math.ceil(ttl) : undefined;
}

/**
 * createCache: a JSON cache over the adapter whose store errors never reach the caller.
 * See the README section "Fail-open recipes" for the outage contract.
 */
import { CacheBackend } from './cache-backend.js';
import type { CacheBackendEvents, CacheInvalidationEvent } from './cache-backend.js';
import { resolveCacheOptions, ttlArgument } from './cache-options.js';
import type { CacheOptions } from './cache-options.js';
import { DegradationReporter } from '../degradation-reporter.js';
import type { DegradationStats, DegradedEvent } from '../degradation-reporter.js';
import { encodeJson } from '../json-codec.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import { RecipeRedis } from '../recipe-client.js';
import { RecipeEmitter } from '../recipe-emitter.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import type { BulkDeleteResult } from './scan-delete.js';
import { SingleFlight } from './single-flight.js';
import { assertAdapter, assertKey } from '../validate-options.js';

export type { CacheInvalidationEvent } from './cache-backend.js';

/** Counters of a cache since it was created. */
export interface CacheStats extends DegradationStats {
  /** Values returned from Redis or L1. */
  hits: number;
  /** Of which served by the in-process tier. */
  l1Hits: number;
  misses: number;
  /** Loader calls made by wrap(). */
  loads: number;
  /** wrap() calls that joined a load already in flight for the same key. */
  singleFlightJoins: number;
  /** Writes (set/update/delete/wrap write-back/bulk deletes) that did not reach Redis. */
  skippedWrites: number;
  /** Keys and prefixes waiting to be invalidated in Redis. */
  pendingInvalidations: number;
  /** Times the pending set overflowed into "clear the whole prefix". */
  invalidationOverflows: number;
  /** Pending entries applied after Redis came back. */
  replayedInvalidations: number;
  l1Size: number;
}

/** A fail-open JSON cache. Every method settles; none rejects because of Redis. */
export interface Cache {
  /** The value, or `undefined` on a miss, an outage or a corrupt stored value. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` (JSON) for `ttlMs`; resolves true when Redis acknowledged it. */
  set(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  /**
   * Read-modify-write (not atomic across processes): `fn` gets the current value (or
   * `undefined`) and returns the new one, or `undefined` to delete. Resolves true when applied;
   * when Redis cannot be read, `fn` is not called and the key is invalidated. Resolves false
   * without calling `fn` when this process set, deleted or updated the key while it was read.
   */
  update<T>(
    key: string,
    fn: (current: T | undefined) => T | undefined,
    ttlMs?: number,
  ): Promise<boolean>;
  /** Resolves true when Redis acknowledged the delete. */
  delete(key: string): Promise<boolean>;
  /** Deletes every key of this cache starting with `prefix` (SCAN + UNLINK batches). */
  deleteByPrefix(prefix: string): Promise<BulkDeleteResult>;
  /** Deletes every key of this cache (its prefix only). */
  clear(): Promise<BulkDeleteResult>;
  /**
   * The cached value, or `loader()`'s (then stored in the background). Concurrent calls for the
   * same key share one load (single-flight, in this process). Loader errors propagate.
   */
  wrap<T>(key: string, ttlMs: number | undefined, loader: () => T | PromiseLike<T>): Promise<T>;
  stats(): CacheStats;
  on(event: 'degraded', listener: (e: DegradedEvent) => void): Unsubscribe;
  on(event: 'invalidation', listener: (e: CacheInvalidationEvent) => void): Unsubscribe;
  /** Starts replaying pending invalidations now if Redis is ready; resolves when done. */
  flushPendingInvalidations(): Promise<void>;
  /**
   * Unsubscribes from the adapter and stops background replay retries. The cache still works;
   * replays then start only on use or with flushPendingInvalidations().
   */
  dispose(): void;
}

/** Creates a cache over `adapter`. Options are validated here (TypeError/RangeError). */
export function createCache(adapter: RecipeAdapter, options: CacheOptions): Cache {
  assertAdapter('createCache', adapter);
  const o = resolveCacheOptions(options);
  const reporter = new DegradationReporter('cache', o.prefix);
  const events = new RecipeEmitter<CacheBackendEvents>();
  const backend = new CacheBackend(new RecipeRedis(adapter), o, reporter, events);
  const { replayer, pending } = backend;
  const flights = new SingleFlight<unknown>();
  const counters = { hits: 0, misses: 0, loads: 0, singleFlightJoins: 0 };
  const unsubscribe = adapter.on('connectionState', (e) => {
    if (e.to === 'ready') void replayer.maybeReplay(true);
  });

  /** Checks a call's arguments, then gives a pending replay a chance to start. */
  function enter(op: string, key: string): void {
    assertKey(`cache.${op}`, key);
    void replayer.maybeReplay();
  }

  /**
   * `key` (or every key under `prefix`) changes now: reads and loads already out must not put
   * their older value into L1 or Redis, and later wraps must not join them.
   */
  function changing(key: string, wholePrefix = false): void {
    if (wholePrefix) backend.fence.touchAll();
    else backend.fence.touch(key);
    flights.forget(key, !wholePrefix);
  }

  function fromL1(key: string): { value: unknown } | undefined {
    const hit = backend.l1Get(key);
    if (hit !== undefined) counters.hits += 1;
    return hit;
  }

  return {
    async get<T>(key: string): Promise<T | undefined> {
      enter('get', key);
      const hit = fromL1(key);
      if (hit !== undefined) return hit.value as T;
      const found = await backend.read('get', key, 'miss');
      if (found === undefined) {
        counters.misses += 1;
        return undefined;
      }
      counters.hits += 1;
      return found.value as T;
    },
    async set(key, value, ttlMs) {
      const ttl = ttlArgument('cache.set', ttlMs, o.defaultTtlMs);
      const text = encodeJson('cache.set', value);
      enter('set', key);
      changing(key);
      backend.l1Set(key, text, ttl);
      return backend.write('set', key, text, ttl, true);
    },
    async update<T>(key: string, fn: (current: T | undefined) => T | undefined, ttlMs?: number) {
      if (typeof fn !== 'function') {
        throw new TypeError(`cache.update: fn must be a function, got ${typeof fn}`);
      }
      const ttl = ttlArgument('cache.update', ttlMs, o.defaultTtlMs);
      enter('update', key);
      // Fences the loads already out even if the read below fails (the key is then queued).
      changing(key);
      const token = backend.fence.begin();
      const current = await backend.readForUpdate(key);
      if (!current.found) return false;
      // Set, deleted or updated again in this process meanwhile: `fn` would get a stale value,
      // and writing its result would undo that change.
      if (!backend.fence.unchangedSince(key, token)) return false;
      const next = fn(current.value as T | undefined);
      changing(key);
      if (next === undefined) return backend.delete('update', key);
      const text = encodeJson('cache.update', next);
      backend.l1Set(key, text, ttl);
      return backend.write('update', key, text, ttl, true);
    },
    async delete(key) {
      enter('delete', key);
      changing(key);
      return backend.delete('delete', key);
    },
    async deleteByPrefix(prefix) {
      enter('deleteByPrefix', prefix);
      changing(prefix, true);
      return backend.deletePrefix('deleteByPrefix', prefix);
    },
    async clear() {
      void replayer.maybeReplay();
      changing('', true);
      backend.l1Clear();
      return backend.deletePrefix('clear', '');
    },
    async wrap<T>(key: string, ttlMs: number | undefined, loader: () => T | PromiseLike<T>) {
      const ttl = ttlArgument('cache.wrap', ttlMs, o.defaultTtlMs);
      if (typeof loader !== 'function') {
        throw new TypeError(`cache.wrap: loader must be a function, got ${typeof loader}`);
      }
      enter('wrap', key);
      const hit = fromL1(key);
      if (hit !== undefined) return hit.value as T;
      const { promise, joined } = flights.run(key, async () => {
        const token = backend.fence.begin();
        const found = await backend.read('wrap', key, 'loader');
        if (found !== undefined) {
          counters.hits += 1;
          return found.value;
        }
        counters.misses += 1;
        counters.loads += 1;
        const value = await loader();
        // Set or deleted meanwhile in this process: the loaded value predates that change, so
        // it goes to this load's callers only, neither into L1 nor back to Redis.
        if (value !== undefined && backend.fence.unchangedSince(key, token)) {
          const text = encodeJson('cache.wrap', value);
          backend.l1Set(key, text, ttl);
          // In the background: the caller never waits on the write-back. A failed write-back
          // is not an invalidation (Redis' value, if any, was still valid), so it is not queued.
          void backend.write('wrap', key, text, ttl, false);
        }
        return value;
      });
      if (joined) counters.singleFlightJoins += 1;
      return (await promise) as T;
    },
    stats() {
      const b = backend.counters;
      return {
        ...reporter.stats(),
        ...counters,
        l1Hits: b.l1Hits,
        skippedWrites: b.skippedWrites,
        pendingInvalidations: pending.size,
        invalidationOverflows: b.overflows,
        replayedInvalidations: b.replayed,
        l1Size: backend.l1Size,
      };
    },
    on(event: 'degraded' | 'invalidation', listener: (e: never) => void): Unsubscribe {
      const l = listener as (e: unknown) => void;
      if (event === 'degraded') return reporter.onDegraded(l);
      if (event === 'invalidation') return events.on('invalidation', l);
      throw new TypeError(`cache.on: unknown event ${JSON.stringify(event)}`);
    },
    async flushPendingInvalidations() {
      await (replayer.maybeReplay(true) ?? replayer.inFlight);
    },
    dispose() {
      unsubscribe();
      replayer.dispose();
    },
  };
}

/**
 * The Redis side of a cache: the L1 tier, reads, writes and deletes that never reject, and the
 * bookkeeping of invalidations that could not reach Redis (queued, overflowed, replayed).
 */
import { isRedisCorruptValueError } from '@breakwater/redis-adapter';
import type { ResolvedCacheOptions } from './cache-options.js';
import type { DegradationReason, DegradationReporter } from '../degradation-reporter.js';
import { InvalidationReplayer } from './invalidation-replayer.js';
import { KeyFence } from '../key-fence.js';
import { decodeReply } from '../json-codec.js';
import { LruCache } from './lru-cache.js';
import { PendingInvalidations } from './pending-invalidations.js';
import type { RecipeRedis, SendCommand, StepResult } from '../recipe-client.js';
import type { RecipeEmitter } from '../recipe-emitter.js';
import { scanDelete } from './scan-delete.js';
import type { BulkDeleteResult } from './scan-delete.js';

/** The `invalidation` event of a cache (never carries keys). */
export interface CacheInvalidationEvent {
  /**
   * `queued`: an invalidation could not reach Redis and is pending; `overflow`: the pending set
   * was full, so the whole prefix will be cleared; `replayed`: pending entries were applied.
   */
  type: 'queued' | 'overflow' | 'replayed';
  /** Entries concerned (1 for queued/overflow). */
  count: number;
}

/** Events a cache emits besides `degraded`. */
export interface CacheBackendEvents {
  invalidation: CacheInvalidationEvent;
}

/** Keys are relative to the cache prefix everywhere in this class. */
export class CacheBackend {
  readonly pending: PendingInvalidations;
  readonly replayer: InvalidationReplayer;
  readonly counters = { l1Hits: 0, skippedWrites: 0, overflows: 0, replayed: 0 };
  /**
   * The keys this process changed since a read or load began: its value must then go neither
   * into L1 nor back to Redis (see key-fence.ts).
   */
  readonly fence = new KeyFence();
  /** L1 holds the JSON text, so every hit returns a fresh copy the caller may mutate. */
  private readonly l1: LruCache<string> | undefined;

  constructor(
    private readonly redis: RecipeRedis,
    private readonly o: ResolvedCacheOptions,
    private readonly reporter: DegradationReporter,
    private readonly events: RecipeEmitter<CacheBackendEvents>,
  ) {
    this.l1 = o.l1 === undefined ? undefined : new LruCache<string>({ ...o.l1, clock: o.clock });
    this.pending = new PendingInvalidations(o.maxPendingInvalidations);
    this.replayer = new InvalidationReplayer({
      redis,
      pending: this.pending,
      prefix: o.prefix,
      scanCount: o.scanCount,
      timeout: o.operationTimeout,
      clock: o.clock,
      onReplayed: (count) => {
        this.counters.replayed += count;
        events.emit('invalidation', { type: 'replayed', count });
      },
    });
  }

  get l1Size(): number {
    return this.l1?.size ?? 0;
  }

  /** A fresh copy of the L1 value, counted as an L1 hit; undefined when absent/expired. */
  l1Get(key: string): { value: unknown } | undefined {
    const text = this.l1?.get(key);
    if (text === undefined) return undefined;
    this.counters.l1Hits += 1;
    return { value: JSON.parse(text) as unknown };
  }

  l1Set(key: string, text: string, ttlMs: number): void {
    this.l1?.set(key, text, ttlMs);
  }

  l1Delete(key: string): void {
    this.l1?.delete(key);
  }

  l1Clear(): void {
    this.l1?.clear();
  }

  degraded(operation: string, reason: DegradationReason, outcome: string): void {
    if (outcome === 'skip') this.counters.skippedWrites += 1;
    this.reporter.report(operation, reason, outcome);
  }

  /**
   * GET and decode, unless the key is known stale (pending invalidation). Undefined means a
   * miss of any kind; failures and corrupt values are reported with `outcome`. Fills L1, unless
   * this process changed the key while the GET was out.
   */
  async read(
    operation: string,
    key: string,
    outcome: string,
  ): Promise<{ value: unknown } | undefined> {
    if (this.pending.isPending(key)) return undefined;
    const token = this.fence.begin();
    const r = await this.get(key);
    if (!r.ok) {
      this.degraded(operation, isRedisCorruptValueError(r.error) ? 'corrupt' : r.reason, outcome);
      if (isRedisCorruptValueError(r.error)) this.reporter.reachedRedis();
      return undefined;
    }
    this.reporter.reachedRedis();
    if (r.value === undefined) return undefined;
    if (!this.pending.isPending(key) && this.fence.unchangedSince(key, token)) {
      this.l1?.set(key, r.value.text);
    }
    return { value: r.value.value };
  }

  /**
   * GET for update(): `found: false` when Redis could not be read (reported, key invalidated);
   * a corrupt value reads as undefined (reported). A key known stale (pending invalidation)
   * reads as undefined too, but only once the GET went through: while Redis is down, update()
   * must not call its `fn` (and cache a value computed from a made-up "missing").
   */
  async readForUpdate(key: string): Promise<{ found: boolean; value: unknown }> {
    const r = await this.get(key);
    if (!r.ok && isRedisCorruptValueError(r.error)) {
      this.reporter.reachedRedis();
      this.degraded('update', 'corrupt', 'miss');
      return { found: true, value: undefined };
    }
    if (!r.ok) {
      this.l1?.delete(key);
      this.degraded('update', r.reason, 'skip');
      this.queue('key', key);
      return { found: false, value: undefined };
    }
    this.reporter.reachedRedis();
    if (r.value === undefined || this.pending.isPending(key)) {
      return { found: true, value: undefined };
    }
    return { found: true, value: r.value.value };
  }

  /**
   * SET PX. On failure the write is skipped and reported; with `invalidate` (explicit writes)
   * the key is queued for UNLINK once Redis is back, so no process later reads the old value.
   */
  async write(
    operation: string,
    key: string,
    text: string,
    ttlMs: number,
    invalidate: boolean,
  ): Promise<boolean> {
    const full = this.o.prefix + key;
    const r = await this.step('set', full, (send) =>
      send(['SET', full, text, 'PX', String(ttlMs)], full),
    );
    if (r.ok) {
      this.reporter.reachedRedis();
      this.pending.supersede(key);
      return true;
    }
    this.degraded(operation, r.reason, 'skip');
    if (invalidate) this.queue('key', key);
    return false;
  }

  /** Drops the L1 entry at once, then UNLINK (queued on failure). */
  async delete(operation: string, key: string): Promise<boolean> {
    this.l1?.delete(key);
    const full = this.o.prefix + key;
    const r = await this.step('delete', full, (send) => send(['UNLINK', full], full));
    if (r.ok) {
      this.reporter.reachedRedis();
      this.pending.supersede(key);
      return true;
    }
    this.degraded(operation, r.reason, 'skip');
    this.queue('key', key);
    return false;
  }

  /** SCAN + UNLINK under `prefix` (relative; '' = the whole cache), queued on failure. */
  async deletePrefix(operation: string, prefix: string): Promise<BulkDeleteResult> {
    this.l1?.deletePrefix(prefix);
    const { redis, o } = this;
    const r = await scanDelete(
      redis,
      `cache.${operation}`,
      o.prefix + prefix,
      o.scanCount,
      o.operationTimeout,
    );
    if (r.complete) {
      this.reporter.reachedRedis();
    } else {
      this.degraded(operation, r.reason ?? 'unknown', 'skip');
      this.queue('prefix', prefix);
    }
    return { deleted: r.deleted, complete: r.complete };
  }

  private queue(kind: 'key' | 'prefix', relative: string): void {
    const outcome =
      kind === 'key' ? this.pending.addKey(relative) : this.pending.addPrefix(relative);
    if (outcome === 'overflow') {
      this.counters.overflows += 1;
      this.events.emit('invalidation', { type: 'overflow', count: 1 });
    } else if (outcome === 'added') {
      this.events.emit('invalidation', { type: 'queued', count: 1 });
    }
  }

  /** GET + decode inside the operation (a corrupt value is a RedisCorruptValueError step failure). */
  private get(key: string): Promise<StepResult<{ value: unknown; text: string } | undefined>> {
    const full = this.o.prefix + key;
    return this.step('get', full, async (send) =>
      decodeReply<unknown>(await send(['GET', full], full)),
    );
  }

  private step<T>(name: string, key: string, op: (send: SendCommand) => Promise<T>) {
    return this.redis.step<T>(`cache.${name}`, key, op, this.o.operationTimeout);
  }
}

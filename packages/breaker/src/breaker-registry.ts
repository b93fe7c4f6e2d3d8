/**
 * Keyed circuit breakers (one per host, tenant, shard…), created on demand, bounded in memory:
 * at most `maxKeys` live breakers (least recently used evicted first) and none idle for longer
 * than `idleTtl`. An evicted breaker that is not closed is remembered by its snapshot, so
 * asking for its key again during its open period gets an open breaker, not a fresh closed one.
 * No timer: idle breakers are swept lazily by `get`.
 */
import createDebug from 'debug';
import type { CircuitBreaker } from './circuit-breaker.js';
import { cachedSystemNow, systemClock } from './clock.js';
import { describeValue } from './describe-value.js';
import { Emitter } from './emitter.js';
import {
  resolveBreakerRegistryOptions,
  type BreakerRegistryOptions,
} from './breaker-registry-options.js';
import type { CircuitBreakerSnapshot, Unsubscribe } from './types.js';

const debug = createDebug('breakwater:breaker');

/**
 * Creates the breaker of `key`. Pass `initialState` on to the breaker
 * (`new CircuitBreaker(name, { ...options, initialState })`): it is the snapshot of an evicted
 * breaker of the same key that was still open, or `undefined`.
 */
export type BreakerFactory = (
  key: string,
  initialState: CircuitBreakerSnapshot | undefined,
) => CircuitBreaker;

/** Why a breaker left the registry. */
export type BreakerEvictionReason = 'lru' | 'idle' | 'deleted';

/** The typed events of a breaker registry. */
export interface BreakerRegistryEvents {
  /** A breaker was created for `key` (`restored`: from an evicted breaker's snapshot). */
  created: { key: string; breaker: CircuitBreaker; restored: boolean };
  /** The breaker of `key` was evicted (`remembered`: it was not closed, its snapshot is kept). */
  evicted: {
    key: string;
    breaker: CircuitBreaker;
    reason: BreakerEvictionReason;
    remembered: boolean;
  };
}

interface Slot {
  readonly breaker: CircuitBreaker;
  lastUsed: number;
}

interface Memo {
  readonly snapshot: CircuitBreakerSnapshot;
  readonly evictedAt: number;
  /** Clock time after which the snapshot is no longer worth restoring. */
  readonly until: number;
}

const EVENT_NAMES: readonly (keyof BreakerRegistryEvents)[] = ['created', 'evicted'];

/** A bounded map of circuit breakers, created on demand by a factory. */
export class BreakerRegistry {
  readonly name: string;
  readonly maxKeys: number;
  readonly idleTtl: number | false;
  private readonly factory: BreakerFactory;
  private readonly now: () => number;
  /** Live breakers, least recently used first (a hit moves its key to the end). */
  private readonly live = new Map<string, Slot>();
  /** Snapshots of evicted breakers that were not closed, oldest first; at most `maxKeys`. */
  private readonly memos = new Map<string, Memo>();
  /** The most recently used key: a repeated hit skips the reordering. */
  private newest: string | undefined = undefined;
  /** No live breaker can be idle before this clock time. */
  private nextIdleSweep = Infinity;
  private readonly events = new Emitter<BreakerRegistryEvents>();
  private evictedTotal = 0;

  constructor(factory: BreakerFactory, options?: BreakerRegistryOptions) {
    if (typeof factory !== 'function') {
      throw new TypeError(`factory must be a function, got ${describeValue(factory)}`);
    }
    const o = resolveBreakerRegistryOptions(options);
    this.factory = factory;
    this.name = o.name;
    this.maxKeys = o.maxKeys;
    this.idleTtl = o.idleTtl;
    const clock = o.clock;
    this.now = clock === systemClock ? cachedSystemNow : () => clock.now();
  }

  /** The breaker of `key`, created on first use (or re-created after an eviction). */
  get(key: string): CircuitBreaker {
    const now = this.now();
    if (now >= this.nextIdleSweep) this.sweepIdle(now);
    const slot = this.live.get(key);
    if (slot !== undefined) {
      slot.lastUsed = now;
      if (this.newest !== key) {
        this.live.delete(key);
        this.live.set(key, slot);
        this.newest = key;
      }
      return slot.breaker;
    }
    return this.create(key, now);
  }

  /** The live breaker of `key`, if any; never creates one and does not count as a use. */
  peek(key: string): CircuitBreaker | undefined {
    return this.live.get(key)?.breaker;
  }

  /** Removes the breaker of `key` and forgets it (no snapshot is kept). True if there was one. */
  delete(key: string): boolean {
    this.memos.delete(key);
    const slot = this.live.get(key);
    if (slot === undefined) return false;
    this.remove(key, slot, 'deleted', false);
    return true;
  }

  /** Deletes (and forgets) every breaker whose key is not in `keys`; returns the deleted keys. */
  retain(keys: Iterable<string>): string[] {
    const keep = new Set(keys);
    const dropped: string[] = [];
    for (const key of [...this.live.keys()]) {
      if (!keep.has(key) && this.delete(key)) dropped.push(key);
    }
    for (const key of [...this.memos.keys()]) if (!keep.has(key)) this.memos.delete(key);
    return dropped;
  }

  /** Live breakers by key, least recently used first. */
  *entries(): IterableIterator<[string, CircuitBreaker]> {
    for (const [key, slot] of this.live) yield [key, slot.breaker];
  }

  /** Number of live breakers. */
  get size(): number {
    return this.live.size;
  }

  /** Live breakers, remembered snapshots, and evictions since creation (for metrics). */
  getStats(): { size: number; remembered: number; evictions: number } {
    return { size: this.live.size, remembered: this.memos.size, evictions: this.evictedTotal };
  }

  /** Subscribes to an event; returns an idempotent unsubscribe function. */
  on<K extends keyof BreakerRegistryEvents>(
    event: K,
    listener: (payload: BreakerRegistryEvents[K]) => void,
  ): Unsubscribe {
    if (!EVENT_NAMES.includes(event)) {
      throw new TypeError(
        `Unknown breaker registry event ${describeValue(event)} (expected ${EVENT_NAMES.join(' or ')})`,
      );
    }
    return this.events.on(event, listener);
  }

  private create(key: string, now: number): CircuitBreaker {
    if (typeof key !== 'string') {
      throw new TypeError(`key must be a string, got ${describeValue(key)}`);
    }
    let initialState: CircuitBreakerSnapshot | undefined;
    const memo = this.memos.get(key);
    if (memo !== undefined) {
      this.memos.delete(key);
      if (now < memo.until) initialState = resumed(memo, now);
    }
    const breaker = this.factory(key, initialState);
    if (
      typeof breaker !== 'object' ||
      breaker === null ||
      typeof breaker.execute !== 'function' ||
      typeof breaker.toJSON !== 'function'
    ) {
      throw new TypeError(`factory must return a CircuitBreaker, got ${describeValue(breaker)}`);
    }
    if (initialState !== undefined && breaker.toJSON().state === 'closed') {
      debug('registry: the factory ignored initialState for %s; its open period is lost', key);
    }
    if (this.live.size >= this.maxKeys) {
      const [oldKey, oldSlot] = this.live.entries().next().value as [string, Slot];
      this.remove(oldKey, oldSlot, 'lru', true);
    }
    this.live.set(key, { breaker, lastUsed: now });
    this.newest = key;
    if (this.idleTtl !== false && this.nextIdleSweep === Infinity) {
      this.nextIdleSweep = now + this.idleTtl;
    }
    if (this.events.has('created')) {
      this.events.emit('created', { key, breaker, restored: initialState !== undefined });
    }
    return breaker;
  }

  /** Evicts every breaker unused for `idleTtl`, oldest first; O(evicted). */
  private sweepIdle(now: number): void {
    const ttl = this.idleTtl as number;
    this.nextIdleSweep = Infinity;
    for (const [key, slot] of this.live) {
      if (now - slot.lastUsed < ttl) {
        this.nextIdleSweep = slot.lastUsed + ttl;
        break;
      }
      this.remove(key, slot, 'idle', true);
    }
  }

  private remove(key: string, slot: Slot, reason: BreakerEvictionReason, remember: boolean): void {
    this.live.delete(key);
    if (this.newest === key) this.newest = undefined;
    let remembered = false;
    if (remember) {
      this.evictedTotal++;
      const snapshot = slot.breaker.toJSON();
      if (snapshot.state !== 'closed' || snapshot.forced !== null) {
        const now = this.now();
        // An open period ends; a forced state or a half-open trial has no end of its own.
        const until =
          snapshot.state === 'open' && snapshot.openRemainingMs !== null
            ? now + snapshot.openRemainingMs
            : Infinity;
        this.memos.set(key, { snapshot, evictedAt: now, until });
        if (this.memos.size > this.maxKeys) this.memos.delete(this.memos.keys().next().value!);
        remembered = true;
      }
    }
    if (this.events.has('evicted')) {
      this.events.emit('evicted', { key, breaker: slot.breaker, reason, remembered });
    }
  }
}

/** The snapshot of `memo` with the open period reduced by the time spent evicted. */
function resumed(memo: Memo, now: number): CircuitBreakerSnapshot {
  const s = memo.snapshot;
  if (s.openRemainingMs === null) return s;
  return { ...s, openRemainingMs: Math.max(0, s.openRemainingMs - (now - memo.evictedAt)) };
}

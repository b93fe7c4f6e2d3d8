/**
 * The key-value core shared by the session store and the token store: JSON values with a TTL,
 * and result types that keep "missing", "unavailable" (nothing written) and "unknown" (a write
 * that may still land) apart.
 */
import { isRedisCorruptValueError } from '@breakwater/redis-adapter';
import { DegradationReporter } from '../degradation-reporter.js';
import type { DegradationStats, DegradedEvent, RecipeKind } from '../degradation-reporter.js';
import { StoreUnavailableError } from './store-unavailable-error.js';
import { decodeReply, encodeJson } from '../json-codec.js';
import { RecipeRedis } from '../recipe-client.js';
import type { RecipeFailureReason, SendCommand } from '../recipe-client.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import {
  assertAdapter,
  assertKey,
  assertOptionsObject,
  booleanOption,
  integerOption,
  MAX_MS,
  operationTimeoutOption,
  stringOption,
} from '../validate-options.js';

/** Options of the session and token stores. */
export interface KeyValueStoreOptions {
  /** Prefix of every Redis key of the store, e.g. `'sess:'`. */
  prefix: string;
  /** TTL given by set() and touch() when the call does not pass one, in milliseconds. */
  ttlMs: number;
  /**
   * Make set, touch, delete (and take) throw a {@link StoreUnavailableError} instead of
   * resolving `{ status: 'unavailable' }` / `{ status: 'unknown' }` when Redis cannot be used.
   * @default false
   */
  throwOnWriteFailure?: boolean;
  /**
   * Deadline of each Redis call, in milliseconds.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
}

/** Redis could not be used and nothing was written; `reason` says why. Never "does not exist". */
export interface StoreUnavailable {
  status: 'unavailable';
  reason: RecipeFailureReason;
}
/**
 * A write was sent but not answered in time (a frozen or slow server, a dropped connection): it
 * may have been applied, or may still be applied when the server answers. Retry it (set, touch
 * and delete are idempotent; retry a take with the same `attemptId`) or treat the state as
 * unknown; never as "not written".
 */
export interface StoreUnknown {
  status: 'unknown';
  reason: RecipeFailureReason;
}
/** Answer of get: found, missing (also: stored value corrupt), or unavailable. */
export type StoreReadResult<V> =
  { status: 'found'; value: V } | { status: 'missing' } | StoreUnavailable;
/** Answer of set. */
export type StoreWriteResult = { status: 'ok' } | StoreUnavailable | StoreUnknown;
/** Answer of touch: `missing` when the key does not exist (nothing to extend). */
export type StoreTouchResult =
  { status: 'ok' } | { status: 'missing' } | StoreUnavailable | StoreUnknown;
/** Answer of delete; `existed` tells whether there was a key to delete. */
export type StoreDeleteResult =
  { status: 'ok'; existed: boolean } | StoreUnavailable | StoreUnknown;

/** Counters of a store since it was created. */
export interface KeyValueStoreStats extends DegradationStats {
  found: number;
  missing: number;
}

/** Operations common to both stores. */
export interface KeyValueStore<V> {
  get(id: string): Promise<StoreReadResult<V>>;
  /** Stores `value` (JSON) for `ttlMs` (default: the store's). */
  set(id: string, value: V, ttlMs?: number): Promise<StoreWriteResult>;
  /** Extends the entry's TTL to `ttlMs` (default: the store's) from now. */
  touch(id: string, ttlMs?: number): Promise<StoreTouchResult>;
  delete(id: string): Promise<StoreDeleteResult>;
  stats(): KeyValueStoreStats;
  on(event: 'degraded', listener: (e: DegradedEvent) => void): Unsubscribe;
}

/** The store core: the operations plus a runner for the token store's take(). */
export interface KeyValueStoreCore<V> extends KeyValueStore<V> {
  /**
   * Runs one write step with the store's reporting and outcome rules. A RedisCorruptValueError thrown
   * by `fn` is reported (`corrupt`) and resolves `{ ok: true, value: undefined }`.
   */
  runWrite<T>(
    op: string,
    key: string,
    fn: (send: SendCommand) => Promise<T>,
  ): Promise<{ ok: true; value: T | undefined } | StoreUnavailable | StoreUnknown>;
  /** Counts a found/missing answer. */
  count(found: boolean): void;
  /** Full Redis key of `id` (checks the argument). */
  keyOf(op: string, id: string): string;
  readonly reporter: DegradationReporter;
}

/** Defaults of {@link KeyValueStoreOptions}. */
export const DEFAULT_STORE_OPTIONS = { throwOnWriteFailure: false } as const;

/** Option keys every store accepts. */
export const STORE_OPTION_KEYS = ['prefix', 'ttlMs', 'throwOnWriteFailure', 'operationTimeout'];

/** Builds a store; `redisKey` maps the caller's id to the part after the prefix. */
export function createKeyValueStore<V>(
  kind: Extract<RecipeKind, 'session-store' | 'token-store'>,
  adapter: RecipeAdapter,
  options: KeyValueStoreOptions,
  redisKey: (id: string) => string,
  extraKeys: readonly string[] = [],
): KeyValueStoreCore<V> {
  const where = kind === 'session-store' ? 'createSessionStore' : 'createTokenStore';
  assertAdapter(where, adapter);
  assertOptionsObject(where, options, [...STORE_OPTION_KEYS, ...extraKeys]);
  const prefix = stringOption(where, 'prefix', options.prefix);
  const ttlMs = integerOption(where, 'ttlMs', options.ttlMs, 1, MAX_MS);
  const throwOnWriteFailure = booleanOption(
    where,
    'throwOnWriteFailure',
    options.throwOnWriteFailure ?? DEFAULT_STORE_OPTIONS.throwOnWriteFailure,
  );
  const timeout = operationTimeoutOption(where, options.operationTimeout);
  const redis = new RecipeRedis(adapter);
  const reporter = new DegradationReporter(kind, prefix);
  const counts = { found: 0, missing: 0 };

  const keyOf = (op: string, id: string): string => {
    assertKey(`${kind}.${op}`, id);
    return prefix + redisKey(id);
  };
  const ttlOf = (op: string, ttl: number | undefined): number =>
    ttl === undefined ? ttlMs : integerOption(`${kind}.${op}`, 'ttlMs', ttl, 1, MAX_MS);

  async function runWrite<T>(
    op: string,
    key: string,
    fn: (send: SendCommand) => Promise<T>,
  ): Promise<{ ok: true; value: T | undefined } | StoreUnavailable | StoreUnknown> {
    const step = await redis.step(`${kind}.${op}`, key, fn, timeout);
    if (step.ok) {
      reporter.reachedRedis();
      return step;
    }
    if (isRedisCorruptValueError(step.error)) {
      // Redis answered (and applied the write); the stored value was not valid JSON.
      reporter.reachedRedis();
      reporter.report(op, 'corrupt', 'missing');
      return { ok: true, value: undefined };
    }
    const status = step.maybeApplied ? 'unknown' : 'unavailable';
    reporter.report(op, step.reason, throwOnWriteFailure ? 'throw' : status);
    if (throwOnWriteFailure) {
      throw new StoreUnavailableError(`${kind}.${op}`, step.reason, {
        cause: step.error,
        maybeApplied: step.maybeApplied,
      });
    }
    return { status, reason: step.reason };
  }

  function count(found: boolean): void {
    if (found) counts.found += 1;
    else counts.missing += 1;
  }

  return {
    keyOf,
    runWrite,
    count,
    reporter,
    async get(id) {
      const key = keyOf('get', id);
      const step = await redis.step(
        `${kind}.get`,
        key,
        async (send) => decodeReply<V>(await send(['GET', key], key)),
        timeout,
      );
      if (step.ok) {
        reporter.reachedRedis();
        count(step.value !== undefined);
        return step.value === undefined
          ? { status: 'missing' }
          : { status: 'found', value: step.value.value };
      }
      if (isRedisCorruptValueError(step.error)) {
        reporter.reachedRedis();
        reporter.report('get', 'corrupt', 'missing');
        count(false);
        return { status: 'missing' };
      }
      reporter.report('get', step.reason, 'unavailable');
      return { status: 'unavailable', reason: step.reason };
    },
    async set(id, value, ttl) {
      const key = keyOf('set', id);
      const px = String(ttlOf('set', ttl));
      const text = encodeJson(`${kind}.set`, value);
      const r = await runWrite('set', key, (send) => send(['SET', key, text, 'PX', px], key));
      return 'ok' in r ? { status: 'ok' } : r;
    },
    async touch(id, ttl) {
      const key = keyOf('touch', id);
      const px = String(ttlOf('touch', ttl));
      const r = await runWrite('touch', key, (send) => send(['PEXPIRE', key, px], key));
      if (!('ok' in r)) return r;
      return Number(r.value) === 1 ? { status: 'ok' } : { status: 'missing' };
    },
    async delete(id) {
      const key = keyOf('delete', id);
      const r = await runWrite('delete', key, (send) => send(['UNLINK', key], key));
      return 'ok' in r ? { status: 'ok', existed: Number(r.value) > 0 } : r;
    },
    stats: () => ({ ...reporter.stats(), ...counts }),
    on(event, listener) {
      if (event !== 'degraded')
        throw new TypeError(`${kind}.on: unknown event ${JSON.stringify(event)}`);
      return reporter.onDegraded(listener);
    },
  };
}

/**
 * The key-value core shared by the session store and the token store: JSON values with a TTL,
 * and result types that keep "missing" and "unavailable" apart.
 */
import { DegradationReporter } from '../degradation-reporter.js';
import type { DegradationStats, DegradedEvent, RecipeKind } from '../degradation-reporter.js';
import { StoreUnavailableError } from './store-unavailable-error.js';
import { decodeJson, encodeJson } from '../json-codec.js';
import { command, runRedisStep } from '../recipe-client.js';
import type { RecipeAdapter, RecipeFailureReason, RecipeRedisClient } from '../recipe-client.js';
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
   * resolving `{ status: 'unavailable' }` when Redis cannot be used.
   * @default false
   */
  throwOnWriteFailure?: boolean;
  /**
   * Deadline of each Redis call, in milliseconds.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
}

/** Redis could not be used; `reason` says why. Never means "the key does not exist". */
export interface StoreUnavailable {
  status: 'unavailable';
  reason: RecipeFailureReason;
}
/** Answer of get (and take): found, missing (also: stored value corrupt), or unavailable. */
export type StoreReadResult<V> =
  { status: 'found'; value: V } | { status: 'missing' } | StoreUnavailable;
/** Answer of set. */
export type StoreWriteResult = { status: 'ok' } | StoreUnavailable;
/** Answer of touch: `missing` when the key does not exist (nothing to extend). */
export type StoreTouchResult = { status: 'ok' } | { status: 'missing' } | StoreUnavailable;
/** Answer of delete; `existed` tells whether there was a key to delete. */
export type StoreDeleteResult = { status: 'ok'; existed: boolean } | StoreUnavailable;

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

/** The core plus get-and-delete, used by the token store. */
export interface KeyValueStoreCore<V> extends KeyValueStore<V> {
  take(id: string): Promise<StoreReadResult<V>>;
}

/** Defaults of {@link KeyValueStoreOptions}. */
export const DEFAULT_STORE_OPTIONS = { throwOnWriteFailure: false } as const;

const KEYS = ['prefix', 'ttlMs', 'throwOnWriteFailure', 'operationTimeout'];

/** Builds a store; `redisKey` maps the caller's id to the part after the prefix. */
export function createKeyValueStore<V>(
  kind: Extract<RecipeKind, 'session-store' | 'token-store'>,
  adapter: RecipeAdapter,
  options: KeyValueStoreOptions,
  redisKey: (id: string) => string,
): KeyValueStoreCore<V> {
  const where = kind === 'session-store' ? 'createSessionStore' : 'createTokenStore';
  assertAdapter(where, adapter);
  assertOptionsObject(where, options, KEYS);
  const prefix = stringOption(where, 'prefix', options.prefix);
  const ttlMs = integerOption(where, 'ttlMs', options.ttlMs, 1, MAX_MS);
  const throwOnWriteFailure = booleanOption(
    where,
    'throwOnWriteFailure',
    options.throwOnWriteFailure ?? DEFAULT_STORE_OPTIONS.throwOnWriteFailure,
  );
  const timeout = operationTimeoutOption(where, options.operationTimeout);
  const reporter = new DegradationReporter(kind, prefix);
  const counts = { found: 0, missing: 0 };

  const keyOf = (op: string, id: string): string => {
    assertKey(`${kind}.${op}`, id);
    return prefix + redisKey(id);
  };
  const ttlOf = (op: string, ttl: number | undefined): number =>
    ttl === undefined ? ttlMs : integerOption(`${kind}.${op}`, 'ttlMs', ttl, 1, MAX_MS);

  async function run<T>(
    op: string,
    fn: (client: RecipeRedisClient, signal: AbortSignal) => Promise<T>,
    isWrite: boolean,
  ): Promise<{ ok: true; value: T } | StoreUnavailable> {
    const step = await runRedisStep(adapter, `${kind}.${op}`, fn, timeout);
    if (step.ok) {
      reporter.reachedRedis();
      return step;
    }
    reporter.report(op, step.reason, isWrite && throwOnWriteFailure ? 'throw' : 'unavailable');
    if (isWrite && throwOnWriteFailure) {
      throw new StoreUnavailableError(`${kind}.${op}`, step.reason, { cause: step.error });
    }
    return { status: 'unavailable', reason: step.reason };
  }

  async function read(op: 'get' | 'take', id: string): Promise<StoreReadResult<V>> {
    const key = keyOf(op, id);
    const r = await run(
      op,
      (c, s) => command(c, s, [op === 'get' ? 'GET' : 'GETDEL', key]),
      op === 'take',
    );
    if (!('ok' in r)) return r;
    const decoded = r.value === null || r.value === undefined ? undefined : decodeJson<V>(r.value);
    if (decoded?.ok) {
      counts.found += 1;
      return { status: 'found', value: decoded.value };
    }
    if (decoded !== undefined) reporter.report(op, 'corrupt', 'missing');
    counts.missing += 1;
    return { status: 'missing' };
  }

  return {
    get: (id) => read('get', id),
    take: (id) => read('take', id),
    async set(id, value, ttl) {
      const key = keyOf('set', id);
      const px = String(ttlOf('set', ttl));
      const text = encodeJson(`${kind}.set`, value);
      const r = await run('set', (c, s) => command(c, s, ['SET', key, text, 'PX', px]), true);
      return 'ok' in r ? { status: 'ok' } : r;
    },
    async touch(id, ttl) {
      const key = keyOf('touch', id);
      const px = String(ttlOf('touch', ttl));
      const r = await run('touch', (c, s) => command(c, s, ['PEXPIRE', key, px]), true);
      if (!('ok' in r)) return r;
      return Number(r.value) === 1 ? { status: 'ok' } : { status: 'missing' };
    },
    async delete(id) {
      const key = keyOf('delete', id);
      const r = await run('delete', (c, s) => command(c, s, ['UNLINK', key]), true);
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

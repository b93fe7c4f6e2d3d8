/**
 * The adapter a framework integration (`@breakwater/fastify`, `@breakwater/nestjs`) holds for
 * the application's lifetime, and the one rule for getting it: the caller passes an adapter it
 * created (any topology), or the options to create a single-server one, never both. One type and
 * one helper, so the integrations cannot drift apart on what they accept.
 */
import { createRedisAdapter } from '@breakwater/redis-adapter';
import type { HealthSource, RedisAdapterOptions } from '@breakwater/redis-adapter';
import type { RecipeAdapter } from './recipe-adapter.js';

/**
 * Any breakwater adapter (single server, Cluster, Sentinel, ioredis) an integration can hold:
 * the recipes run on it, health routes read it, and the integration connects and closes it.
 */
export type ManagedRedisAdapter = RecipeAdapter &
  HealthSource & { connect(): Promise<void>; close(): Promise<void> };

/** The adapter-or-options pair of an integration's options. Give `adapter` or `redis`, not both. */
export interface AdapterOrRedisOptions {
  /**
   * An adapter you created (any topology); the integration does not connect it.
   * @default created from `redis`
   */
  adapter?: ManagedRedisAdapter;
  /**
   * Options of `createRedisAdapter`: the integration creates the adapter and awaits `connect()`
   * (which resolves after `connectTimeout` even with Redis down, unless `requireConnection`).
   * @default {} when `adapter` is not given (the adapter's defaults: localhost:6379)
   */
  redis?: RedisAdapterOptions;
}

function isManaged(a: Partial<ManagedRedisAdapter>): boolean {
  return (
    typeof a.executeRedisOperation === 'function' &&
    typeof a.close === 'function' &&
    typeof a.health === 'function'
  );
}

/**
 * Validates `adapter` / `redis` now (a TypeError naming `where`: both given, or an `adapter`
 * that is not a breakwater adapter) and returns how to obtain the adapter later: the one given,
 * or one created from `redis` (`{}` when absent) and connected. `connect()` settles within
 * `connectTimeout` even with Redis down (degraded), unless `requireConnection` is set.
 */
export function managedAdapterFrom(
  where: string,
  options: AdapterOrRedisOptions,
): () => Promise<ManagedRedisAdapter> {
  const { adapter, redis } = options;
  if (adapter !== undefined && redis !== undefined) {
    throw new TypeError(`${where}: give adapter or redis, not both`);
  }
  if (adapter !== undefined) {
    if (typeof adapter !== 'object' || adapter === null || !isManaged(adapter)) {
      throw new TypeError(`${where}: adapter must be a breakwater Redis adapter`);
    }
    return () => Promise.resolve(adapter);
  }
  return async () => {
    const created = createRedisAdapter(redis ?? {});
    await created.connect();
    return created;
  };
}

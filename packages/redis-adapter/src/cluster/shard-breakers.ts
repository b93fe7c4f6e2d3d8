/**
 * One circuit breaker per cluster shard, keyed by the shard master's address (`host:port`), held
 * in a {@link BreakerRegistry} from @breakwater/breaker.
 *
 * Why per shard and keyed by master address:
 * - A dead shard fails every call routed to it while the other shards answer normally. With a
 *   single cluster-wide breaker those failures either open the circuit for the healthy shards
 *   too (failure rate above the threshold) or are diluted below it so the dead shard is never
 *   short-circuited; per-shard breakers isolate the damage to the keys of that shard.
 * - After a failover the promoted replica has a NEW address, so it starts with a fresh, closed
 *   breaker: calls succeed as soon as node-redis has refreshed the topology, instead of waiting
 *   for the old shard's open period (`resetTimeout`) to expire, as a breaker keyed by slot range
 *   would. The dead master's breaker is dropped (and forgotten) by `registry.retain(masters)`,
 *   so the registry stays bounded by the number of masters.
 * - No idle eviction: the adapter caches each shard's breaker with its connection, so a breaker
 *   must live exactly as long as its shard is a master. `maxKeys` (16384, one per hash slot, the
 *   most masters a cluster can have) is a backstop that a real cluster never reaches.
 */
import { BreakerRegistry, CircuitBreaker } from '@breakwater/breaker';
import type { CircuitBreakerOptions, Clock } from '@breakwater/breaker';

/** Most shard breakers: a cluster has at most one master per hash slot. */
export const MAX_SHARD_BREAKERS = 16_384;

/** Called once for each breaker the registry creates (e.g. to forward its events). */
export type ShardBreakerListener = (address: string, breaker: CircuitBreaker) => void;

/**
 * The registry of one cluster adapter's shard breakers, named `<baseName>@<host:port>`.
 * `options` are validated when the first breaker is created.
 */
export function createShardBreakers(
  baseName: string,
  options: CircuitBreakerOptions,
  clock: Clock | undefined,
  onCreate?: ShardBreakerListener,
): BreakerRegistry {
  const registry = new BreakerRegistry(
    (address, initialState) =>
      new CircuitBreaker(
        `${baseName}@${address}`,
        initialState === undefined ? options : { ...options, initialState },
      ),
    {
      name: baseName,
      maxKeys: MAX_SHARD_BREAKERS,
      idleTtl: false,
      ...(clock === undefined ? {} : { clock }),
    },
  );
  if (onCreate !== undefined) registry.on('created', (e) => onCreate(e.key, e.breaker));
  return registry;
}

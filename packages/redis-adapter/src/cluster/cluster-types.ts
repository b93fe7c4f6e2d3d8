/** Public types of the cluster adapter: call options, events and health. */
import type { CircuitBreaker, CircuitBreakerStats } from '@breakwater/breaker';
import type { RedisAdapterEvents, RedisHealth, RedisOperationOptions } from '../types.js';

/** Per-call options of the cluster adapter's executeRedisOperation. */
export interface RedisClusterOperationOptions extends RedisOperationOptions {
  /**
   * A key the operation touches. It picks the shard: its breaker (with `breakerScope: 'shard'`),
   * its readiness and, on a deadline overrun, which node connection to replace. Without it the
   * call goes through the cluster-wide `breaker`.
   */
  key?: string | Uint8Array;
}

/** Events of a cluster adapter: the single-server events plus shard breaker creation. */
export interface RedisClusterAdapterEvents extends RedisAdapterEvents {
  /** A shard breaker was created (first call for a new master); subscribe to its events here. */
  shardBreaker: { address: string; breaker: CircuitBreaker };
}

/** One shard in {@link RedisClusterHealth}. */
export interface RedisClusterShardHealth {
  /** Master address `host:port`. */
  address: string;
  /** Its node client is connected (or not created yet: connected on demand). */
  connected: boolean;
  /** Its breaker, if a call has used it. */
  breaker: CircuitBreakerStats | null;
}

/** Health of a cluster adapter: `breaker` is the cluster-wide breaker. */
export interface RedisClusterHealth extends RedisHealth {
  shards: RedisClusterShardHealth[];
}

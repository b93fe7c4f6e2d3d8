/** Public API of the cluster and Sentinel adapters (re-exported by the package barrel). */
export { createRedisClusterAdapter } from './create-redis-cluster-adapter.js';
export { RedisClusterAdapter } from './redis-cluster-adapter.js';
export type { NodeRedisCluster } from './redis-cluster-adapter.js';
export type {
  RedisClusterAdapterEvents,
  RedisClusterHealth,
  RedisClusterOperationOptions,
  RedisClusterShardHealth,
} from './cluster-types.js';
export { DEFAULT_REDIS_CLUSTER_ADAPTER_OPTIONS } from './cluster-options.js';
export type {
  ClusterBreakerScope,
  RedisClusterAdapterOptions,
  RedisSeedNode,
} from './cluster-options.js';
export { CLUSTER_ENV_VARIABLES } from './cluster-env.js';
export type { RedisNodeAddress } from './seed-address.js';
export { keySlot, CLUSTER_SLOTS } from './key-slot.js';
export { createRedisSentinelAdapter } from './create-redis-sentinel-adapter.js';
export { RedisSentinelAdapter } from './redis-sentinel-adapter.js';
export type { NodeRedisSentinel, RedisSentinelAdapterEvents } from './redis-sentinel-adapter.js';
export { DEFAULT_REDIS_SENTINEL_ADAPTER_OPTIONS } from './sentinel-options.js';
export type { RedisSentinelAdapterOptions, RedisSentinelGroupOptions } from './sentinel-options.js';
export {
  createAnyRedisAdapterFromEnv,
  createRedisClusterAdapterFromEnv,
  createRedisSentinelAdapterFromEnv,
  redisClusterOptionsFromEnv,
  redisSentinelOptionsFromEnv,
} from './create-from-env.js';

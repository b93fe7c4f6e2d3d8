/**
 * Cluster and Sentinel adapters from the environment: the topology variables
 * (REDIS_CLUSTER_NODES, REDIS_SENTINELS, REDIS_SENTINEL_NAME, …; see cluster-env.ts) plus every
 * shared variable the single-server adapter reads (REDIS_PASSWORD, REDIS_TLS, the timeouts, the
 * breaker settings), validated by the same code.
 */
import { redisAdapterOptionsFromEnv, type RedisEnv } from '../env.js';
import { RedisConfigError } from '../errors.js';
import { createRedisAdapter } from '../create-redis-adapter.js';
import type { RedisAdapterOptions } from '../options.js';
import type { RedisAdapter } from '../redis-adapter.js';
import type { NodeRedisClient } from '../create-redis-adapter.js';
import {
  readTopologyEnv,
  type ClusterEnvTopology,
  type SentinelEnvTopology,
} from './cluster-env.js';
import type { RedisClusterAdapterOptions } from './cluster-options.js';
import { createRedisClusterAdapter } from './create-redis-cluster-adapter.js';
import { createRedisSentinelAdapter } from './create-redis-sentinel-adapter.js';
import type { RedisClusterAdapter } from './redis-cluster-adapter.js';
import type { RedisSentinelAdapter } from './redis-sentinel-adapter.js';
import type { RedisSentinelAdapterOptions } from './sentinel-options.js';

type Common = Omit<RedisAdapterOptions, 'url' | 'host' | 'port' | 'database'>;

function mergeBreaker<O extends { breaker?: RedisAdapterOptions['breaker'] }>(
  a: O,
  b: Partial<O>,
): O {
  const merged = { ...a, ...b } as O;
  if (a.breaker !== undefined || b.breaker !== undefined)
    merged.breaker = { ...a.breaker, ...b.breaker };
  return merged;
}

function common(env: RedisEnv): Common & { database?: number } {
  const { url: _url, host: _host, port: _port, ...rest } = redisAdapterOptionsFromEnv(env);
  return rest;
}

/** Cluster adapter options from the environment (REDIS_CLUSTER_NODES must be set). */
export function redisClusterOptionsFromEnv(
  env: RedisEnv = process.env,
): RedisClusterAdapterOptions {
  const topology = readTopologyEnv(env);
  if (topology?.kind !== 'cluster') {
    throw new RedisConfigError(
      'REDIS_CLUSTER_NODES',
      'REDIS_CLUSTER_NODES: must be set to the seed nodes (host:port,... or redis:// URLs)',
    );
  }
  return clusterOptions(env, topology);
}

function clusterOptions(env: RedisEnv, t: ClusterEnvTopology): RedisClusterAdapterOptions {
  const { database, ...c } = common(env);
  if (database !== undefined && database !== 0) {
    throw new RedisConfigError(
      'REDIS_DB',
      `REDIS_DB: a cluster has only database 0, got ${JSON.stringify(String(database))}`,
    );
  }
  if (
    t.tls === true &&
    env.REDIS_TLS !== undefined &&
    /^(false|0|no|off)$/i.test(env.REDIS_TLS.trim())
  ) {
    throw new RedisConfigError(
      'REDIS_TLS',
      'REDIS_TLS is false but REDIS_CLUSTER_NODES uses rediss:// (TLS)',
    );
  }
  const o: RedisClusterAdapterOptions = { ...c, rootNodes: t.rootNodes };
  if (o.username === undefined && t.username !== undefined) o.username = t.username;
  if (o.password === undefined && t.password !== undefined) o.password = t.password;
  if (o.tls === undefined && t.tls === true) o.tls = true;
  return o;
}

/** Sentinel adapter options from the environment (REDIS_SENTINELS and REDIS_SENTINEL_NAME). */
export function redisSentinelOptionsFromEnv(
  env: RedisEnv = process.env,
): RedisSentinelAdapterOptions {
  const topology = readTopologyEnv(env);
  if (topology?.kind !== 'sentinel') {
    throw new RedisConfigError(
      'REDIS_SENTINELS',
      'REDIS_SENTINELS: must be set (host:port,...) together with REDIS_SENTINEL_NAME',
    );
  }
  return sentinelOptions(env, topology);
}

function sentinelOptions(env: RedisEnv, t: SentinelEnvTopology): RedisSentinelAdapterOptions {
  const sentinel: RedisSentinelAdapterOptions['sentinel'] = {
    name: t.name,
    sentinelRootNodes: t.sentinelRootNodes,
  };
  if (t.sentinelUsername !== undefined) sentinel.username = t.sentinelUsername;
  if (t.sentinelPassword !== undefined) sentinel.password = t.sentinelPassword;
  return { ...common(env), sentinel };
}

/**
 * createRedisClusterAdapter with options from the environment, then `overrides`.
 * @throws RedisConfigError naming the variable and the bad value
 */
export function createRedisClusterAdapterFromEnv(
  env: RedisEnv = process.env,
  overrides: Partial<RedisClusterAdapterOptions> = {},
): RedisClusterAdapter {
  return createRedisClusterAdapter(mergeBreaker(redisClusterOptionsFromEnv(env), overrides));
}

/**
 * createRedisSentinelAdapter with options from the environment, then `overrides`.
 * @throws RedisConfigError naming the variable and the bad value
 */
export function createRedisSentinelAdapterFromEnv(
  env: RedisEnv = process.env,
  overrides: Partial<RedisSentinelAdapterOptions> = {},
): RedisSentinelAdapter {
  return createRedisSentinelAdapter(mergeBreaker(redisSentinelOptionsFromEnv(env), overrides));
}

/**
 * The adapter the environment describes: a cluster adapter when REDIS_CLUSTER_NODES is set, a
 * Sentinel adapter when REDIS_SENTINELS / REDIS_SENTINEL_NAME are, otherwise a single-server
 * adapter (REDIS_URL / REDIS_HOST …). `overrides` holds options common to all three.
 * @throws RedisConfigError naming the variable and the bad value
 */
export function createAnyRedisAdapterFromEnv(
  env: RedisEnv = process.env,
  overrides: Common = {},
): RedisClusterAdapter | RedisSentinelAdapter | RedisAdapter<NodeRedisClient> {
  const topology = readTopologyEnv(env);
  if (topology?.kind === 'cluster') {
    return createRedisClusterAdapter(mergeBreaker(clusterOptions(env, topology), overrides));
  }
  if (topology?.kind === 'sentinel') {
    return createRedisSentinelAdapter(mergeBreaker(sentinelOptions(env, topology), overrides));
  }
  return createRedisAdapter(mergeBreaker(redisAdapterOptionsFromEnv(env), overrides));
}

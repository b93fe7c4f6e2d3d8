/**
 * createRedisClusterAdapter: a node-redis cluster client (createCluster) whose node clients all
 * carry the adapter's resilience settings, wrapped in a {@link RedisClusterAdapter}.
 */
import { createCluster } from 'redis';
import type { RedisClientOptions } from 'redis';
import {
  resolveRedisClusterAdapterOptions,
  type RedisClusterAdapterOptions,
  type ResolvedRedisClusterAdapterOptions,
} from './cluster-options.js';
import { buildNodeClientOptions } from './node-client-options.js';
import { NodeRedisClusterDriver } from './node-redis-cluster-driver.js';
import { RedisClusterAdapter, type NodeRedisCluster } from './redis-cluster-adapter.js';

/** The createCluster options derived from resolved adapter options. */
export function buildClusterOptions(
  r: ResolvedRedisClusterAdapterOptions,
): Parameters<typeof createCluster>[0] {
  const defaults = buildNodeClientOptions(r.base, false);
  return {
    // Seeds are used for discovery only; their clients inherit `defaults` (TLS, credentials,
    // timeouts) from node-redis, so only the address is given here.
    // A seed's client lives for one CLUSTER SLOTS: a seed that accepts TCP but never answers
    // (frozen) would otherwise hold discovery, and the process, until socketTimeout.
    rootNodes: r.rootNodes.map((n) => ({
      socket: { host: n.host, port: n.port, socketTimeout: r.base.connectTimeout },
    })),
    defaults: defaults as Partial<RedisClientOptions>,
    // connect() only discovers: a down master cannot hold it up (node-redis' eager connect waits
    // for every master and never settles while one is unreachable). Masters are connected in
    // the background right after discovery.
    minimizeConnections: true,
    useReplicas: r.useReplicas,
    maxCommandRedirections: r.maxCommandRedirections,
    topologyRefreshOnReconnectionAttemptStrategy: r.topologyRefreshDelay,
    RESP: r.base.RESP as 3,
    // The adapter's deadline covers every command; node-redis' pre-write timeout is redundant.
    commandOptions: { timeout: 0 },
  } as Parameters<typeof createCluster>[0];
}

/**
 * Creates an adapter over a Redis Cluster. Call `connect()` next; it settles within
 * `connectTimeout` even when a master (or every seed) is unreachable.
 *
 * @throws TypeError / RangeError naming the bad option and its value (secrets redacted).
 */
export function createRedisClusterAdapter(
  options: RedisClusterAdapterOptions,
): RedisClusterAdapter {
  const resolved = resolveRedisClusterAdapterOptions(options);
  const client = createCluster(buildClusterOptions(resolved)) as unknown as NodeRedisCluster;
  return new RedisClusterAdapter(client, new NodeRedisClusterDriver(client), resolved);
}

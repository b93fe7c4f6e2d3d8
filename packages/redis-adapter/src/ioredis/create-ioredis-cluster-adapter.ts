/**
 * createIoredisClusterAdapter: an ioredis `Cluster` whose node connections all carry the
 * adapter's resilience settings, wrapped in the same {@link RedisClusterAdapter} as node-redis'
 * cluster (per-shard breakers, node recovery, health), through {@link IoredisClusterDriver}.
 */
import { Cluster, type ClusterOptions } from 'ioredis';
import type { Backoff } from '@breakwater/breaker';
import {
  resolveRedisClusterAdapterOptions,
  type RedisClusterAdapterOptions,
  type ResolvedRedisClusterAdapterOptions,
} from '../cluster/cluster-options.js';
import { RedisClusterAdapter } from '../cluster/redis-cluster-adapter.js';
import { buildIoredisOptions } from './create-ioredis-adapter.js';
import { IoredisClusterDriver, type IoredisClusterLike } from './ioredis-cluster-driver.js';
import { SocketErrorTap } from './socket-error-tap.js';

/** An adapter over an ioredis Cluster. */
export type IoredisClusterAdapter = RedisClusterAdapter<Cluster>;

/** Longest pause between two ioredis slot-refresh attempts on one node, in ms. */
const MAX_SLOTS_REFRESH_TIMEOUT = 1000;

/**
 * ioredis' per-node retry strategy from the adapter's backoff (ioredis passes only the attempt
 * number, from 1): the node stays in the pool and reconnects with the jittered backoff.
 */
export function ioredisNodeRetryStrategy(backoff: Backoff): (times: number) => number {
  return (times) => {
    let d: number;
    try {
      d = backoff.delay(Math.max(0, times - 1));
    } catch {
      d = 1000;
    }
    return Number.isFinite(d) && d >= 0 ? Math.round(d) : 1000;
  };
}

/** The ioredis Cluster options derived from resolved adapter options. */
export function buildIoredisClusterOptions(r: ResolvedRedisClusterAdapterOptions): ClusterOptions {
  const {
    host: _host,
    port: _port,
    db: _db,
    lazyConnect: _lazy,
    retryStrategy: _retry,
    enableOfflineQueue: _offline,
    ...node
  } = buildIoredisOptions(r.base);
  return {
    // The adapter calls connect() and retries discovery itself (jittered, bounded by
    // connectTimeout per attempt).
    lazyConnect: true,
    clusterRetryStrategy: null,
    // A call for a node that is not ready fails at once instead of waiting in a queue.
    enableOfflineQueue: false,
    // CLUSTER INFO goes to a random master, which may be the down one: it would fail (or, for a
    // frozen master, hang) the whole discovery. The adapter classifies CLUSTERDOWN replies.
    enableReadyCheck: false,
    // Node connections reconnect with the adapter's backoff (ioredis' default: never, until a
    // MOVED reply re-creates them); readiness per shard follows them.
    clusterNodeRetryStrategy: ioredisNodeRetryStrategy(r.base.reconnectBackoff),
    // A command on a dropped or CLUSTERDOWN node fails instead of being re-sent after the
    // caller's deadline (the adapter re-reads the topology itself). MOVED / ASK are followed.
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    maxRedirections: r.maxCommandRedirections,
    scaleReads: r.useReplicas ? 'all' : 'master',
    // Each node asked for the topology gets this long (a frozen one would hold the refresh).
    slotsRefreshTimeout: Math.min(r.base.connectTimeout, MAX_SLOTS_REFRESH_TIMEOUT),
    redisOptions: node,
  };
}

/**
 * Creates an adapter over a Redis Cluster with an ioredis `Cluster`. Call `connect()` next; it
 * settles within `connectTimeout` even when a master (or every seed) is unreachable. Same
 * options as createRedisClusterAdapter.
 *
 * @throws TypeError / RangeError naming the bad option and its value (secrets redacted).
 */
export function createIoredisClusterAdapter(
  options: RedisClusterAdapterOptions,
): IoredisClusterAdapter {
  const resolved = resolveRedisClusterAdapterOptions(options, 'createIoredisClusterAdapter');
  const clusterOptions = buildIoredisClusterOptions(resolved);
  // ioredis hides the socket errors of its discovery connections (a TLS failure among them)
  const socketErrors = new SocketErrorTap();
  clusterOptions.redisOptions = {
    ...clusterOptions.redisOptions,
    Connector: socketErrors.Connector,
  };
  const client = new Cluster(
    resolved.rootNodes.map((n) => ({ host: n.host, port: n.port })),
    clusterOptions,
  );
  const driver = new IoredisClusterDriver(
    client as unknown as IoredisClusterLike,
    resolved.base.clock,
    resolved.base.pingInterval,
    socketErrors,
  );
  return new RedisClusterAdapter(client, driver, resolved);
}

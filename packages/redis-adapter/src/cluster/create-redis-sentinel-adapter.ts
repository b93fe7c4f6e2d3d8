/**
 * createRedisSentinelAdapter: a node-redis Sentinel client (createSentinel) whose master and
 * replica clients carry the adapter's resilience settings (`nodeClientOptions`: the only
 * options node-redis applies to them), wrapped in a {@link RedisSentinelAdapter}.
 */
import { createSentinel } from 'redis';
import { buildNodeClientOptions } from './node-client-options.js';
import { createSentinelMasterQuery } from './sentinel-master-query.js';
import { RedisSentinelAdapter, type NodeRedisSentinel } from './redis-sentinel-adapter.js';
import {
  resolveRedisSentinelAdapterOptions,
  type RedisSentinelAdapterOptions,
  type ResolvedRedisSentinelAdapterOptions,
} from './sentinel-options.js';

/** The createSentinel options derived from resolved adapter options. */
export function buildSentinelOptions(
  r: ResolvedRedisSentinelAdapterOptions,
): Parameters<typeof createSentinel>[0] {
  const nodeClientOptions = buildNodeClientOptions(r.base, true);
  // Sentinel connections: same socket settings (node-redis forces reconnectStrategy: false on
  // them and re-discovers instead), the sentinels' own credentials, no database.
  const {
    username: _u,
    password: _p,
    database: _d,
    name: _n,
    ...sentinelClientOptions
  } = nodeClientOptions;
  if (r.sentinelUsername !== undefined) sentinelClientOptions.username = r.sentinelUsername;
  if (r.sentinelPassword !== undefined) sentinelClientOptions.password = r.sentinelPassword;
  return {
    name: r.masterName,
    sentinelRootNodes: r.sentinelRootNodes.map((n) => ({ host: n.host, port: n.port })),
    nodeClientOptions,
    sentinelClientOptions,
    // node-redis' code default is 0 (never re-scan), not the documented 10000.
    scanInterval: r.scanInterval,
    // Without it node-client errors reach only an internal event the public object never emits.
    passthroughClientErrorEvents: true,
    RESP: r.base.RESP,
    // The adapter's deadline covers every command; node-redis' pre-write timeout is redundant.
    commandOptions: { timeout: 0 },
  } as Parameters<typeof createSentinel>[0];
}

/**
 * Creates an adapter over a Redis Sentinel set. Call `connect()` next; it settles within
 * `connectTimeout` even when the master is unreachable.
 *
 * @throws TypeError / RangeError naming the bad option and its value (secrets redacted).
 */
export function createRedisSentinelAdapter(
  options: RedisSentinelAdapterOptions,
): RedisSentinelAdapter {
  const resolved = resolveRedisSentinelAdapterOptions(options);
  const sentinelOptions = buildSentinelOptions(resolved);
  const client = createSentinel(sentinelOptions) as unknown as NodeRedisSentinel;
  const askSentinels = createSentinelMasterQuery(
    resolved.sentinelRootNodes,
    resolved.masterName,
    (sentinelOptions as { sentinelClientOptions: Record<string, unknown> }).sentinelClientOptions,
    resolved.base.operationTimeout,
    resolved.base.clock,
  );
  return new RedisSentinelAdapter(client, resolved, askSentinels);
}

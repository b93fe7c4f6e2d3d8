/**
 * Factories: createRedisAdapter builds a node-redis client with the adapter's resilience
 * settings; wrapRedisClient adopts a client the service already made.
 */
import { createClient, type RedisClientOptions, type RedisClientType } from 'redis';
import type { NodeRedisClientLike } from './connection.js';
import type { RedisAdapterOptions, ResolvedRedisAdapterOptions } from './options.js';
import { resolveRedisAdapterOptions } from './resolve-redis-adapter-options.js';
import { createReconnectStrategy } from './reconnect-strategy.js';
import { RedisAdapter } from './redis-adapter.js';
import { resolveWrapOptions, type WrapRedisClientOptions } from './wrap-options.js';

export type { WrapRedisClientOptions } from './wrap-options.js';

/** The node-redis client type the adapter creates. */
export type NodeRedisClient = RedisClientType;

/** node-redis client options derived from resolved adapter options. */
export function buildClientOptions(r: ResolvedRedisAdapterOptions): RedisClientOptions {
  const socket: Record<string, unknown> = {
    host: r.host,
    port: r.port,
    connectTimeout: r.connectTimeout,
    keepAlive: r.keepAlive,
    keepAliveInitialDelay: r.keepAliveInitialDelay,
    noDelay: true,
    reconnectStrategy: createReconnectStrategy(),
  };
  if (r.socketTimeout !== false) socket.socketTimeout = r.socketTimeout;
  if (r.tls !== undefined) {
    const { servername, ...tls } = r.tls;
    socket.tls = true;
    for (const [k, v] of Object.entries(tls)) if (v !== undefined) socket[k] = v;
    if (servername !== undefined) socket.servername = servername;
  }
  const options: Record<string, unknown> = {
    socket,
    RESP: r.RESP,
    database: r.database,
    // No offline queue: a call while disconnected fails at once (the adapter's grace handles
    // short reconnects); memory stays flat during an outage.
    disableOfflineQueue: true,
    // The adapter's own deadline covers every command (written or not, MULTI and pipelines);
    // node-redis' pre-write timeout would only add an AbortSignal per command.
    commandOptions: { timeout: 0 },
  };
  if (r.pingInterval !== false) options.pingInterval = r.pingInterval;
  if (r.username !== undefined) options.username = r.username;
  if (r.password !== undefined) options.password = r.password;
  if (r.clientName !== undefined) options.name = r.clientName;
  return options as RedisClientOptions;
}

/**
 * Creates an adapter with its own node-redis client: no offline queue, keepalive PINGs, a
 * dead-socket detector that reconnects, jittered adapter-driven reconnects, typed permanent
 * failures, per-call deadlines and a circuit breaker. Call `connect()` next.
 *
 * @throws TypeError / RangeError naming the bad option and its value (secrets redacted).
 */
export function createRedisAdapter(
  options: RedisAdapterOptions = {},
): RedisAdapter<NodeRedisClient> {
  const resolved = resolveRedisAdapterOptions(options);
  const client = createClient(buildClientOptions(resolved)) as unknown as NodeRedisClient;
  return new RedisAdapter(client, resolved, true);
}

/**
 * Adopts a node-redis client the service created, without touching its socket settings:
 * attaches the 'error'/'terminated' listeners, the breaker, deadlines, classification,
 * fallbacks, reporting and health. See the README for which guarantees then hold.
 */
export function wrapRedisClient<C extends NodeRedisClientLike>(
  client: C,
  options: WrapRedisClientOptions = {},
): RedisAdapter<C> {
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof (client as Partial<NodeRedisClientLike>).connect !== 'function' ||
    typeof (client as Partial<NodeRedisClientLike>).on !== 'function'
  ) {
    throw new TypeError('wrapRedisClient: client must be a node-redis client');
  }
  const resolved = resolveWrapOptions(options, 'wrapRedisClient');
  return new RedisAdapter(client, resolved, false);
}

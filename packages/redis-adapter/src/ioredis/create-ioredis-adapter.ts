/**
 * ioredis factories: createIoredisAdapter builds an ioredis client with the adapter's resilience
 * settings; wrapIoredisClient adopts one the service already made. Both return the same
 * {@link RedisAdapter} as the node-redis factories, driven through {@link IoredisLifecycle}.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisAdapterOptions, ResolvedRedisAdapterOptions } from '../options.js';
import { RedisAdapter } from '../redis-adapter.js';
import { resolveRedisAdapterOptions } from '../resolve-redis-adapter-options.js';
import { resolveWrapOptions, type WrapRedisClientOptions } from '../wrap-options.js';
import { IoredisLifecycle, type IoredisClientLike } from './ioredis-lifecycle.js';

/** An adapter over an ioredis client. */
export type IoredisAdapter<C extends IoredisClientLike = Redis> = RedisAdapter<C>;

/** ioredis client options derived from resolved adapter options. */
export function buildIoredisOptions(r: ResolvedRedisAdapterOptions): RedisOptions {
  const options: RedisOptions = {
    host: r.host,
    port: r.port,
    db: r.database,
    protocol: r.RESP,
    // The adapter calls connect() and drives every reconnect itself (jittered, cancellable):
    // ioredis never retries on its own.
    lazyConnect: true,
    retryStrategy: null,
    // No offline queue: a call while disconnected fails at once (the adapter's grace handles
    // short reconnects); memory stays flat during an outage.
    enableOfflineQueue: false,
    // A command cut off by a dropped connection fails; it is never replayed on the next one.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    // Bounds TCP + TLS; the adapter's watchdog bounds the handshake that follows.
    connectTimeout: r.connectTimeout,
    // ioredis reads a number as "on, with this initial delay"; anything else leaves it off.
    keepAlive: r.keepAlive ? r.keepAliveInitialDelay : (false as unknown as number),
    noDelay: true,
  };
  // ioredis' socketTimeout: no reply data for this long after a write destroys the socket (the
  // keepalive PINGs make sure something is written on an idle connection).
  if (r.socketTimeout !== false) options.socketTimeout = r.socketTimeout;
  if (r.username !== undefined) options.username = r.username;
  if (r.password !== undefined) options.password = r.password;
  if (r.clientName !== undefined) options.connectionName = r.clientName;
  if (r.tls !== undefined) {
    const tls: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.tls)) if (v !== undefined) tls[k] = v;
    options.tls = tls;
  }
  return options;
}

/**
 * Creates an adapter with its own ioredis client: no offline queue, no replay of cut-off
 * commands, keepalive PINGs, a dead-socket detector, jittered adapter-driven reconnects, typed
 * permanent failures, per-call deadlines and a circuit breaker. Call `connect()` next.
 *
 * @throws TypeError / RangeError naming the bad option and its value (secrets redacted).
 */
export function createIoredisAdapter(options: RedisAdapterOptions = {}): IoredisAdapter {
  const resolved = resolveRedisAdapterOptions(options, 'createIoredisAdapter');
  const client = new Redis(buildIoredisOptions(resolved));
  const lifecycle = new IoredisLifecycle(client, {
    owned: true,
    pingInterval: resolved.pingInterval,
    clock: resolved.clock,
  });
  return new RedisAdapter(client, resolved, true, lifecycle);
}

/**
 * Adopts an ioredis client the service created, without touching its settings (its offline
 * queue, retryStrategy and timeouts stay as they are): attaches the 'error' listener, the
 * breaker, deadlines, classification, fallbacks, reporting and health, and stops the client on
 * a permanent failure. See the README for which guarantees then hold.
 */
export function wrapIoredisClient<C extends IoredisClientLike>(
  client: C,
  options: WrapRedisClientOptions = {},
): IoredisAdapter<C> {
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof (client as Partial<IoredisClientLike>).status !== 'string' ||
    typeof (client as Partial<IoredisClientLike>).connect !== 'function' ||
    typeof (client as Partial<IoredisClientLike>).on !== 'function'
  ) {
    throw new TypeError('wrapIoredisClient: client must be an ioredis client');
  }
  const resolved = resolveWrapOptions(options, 'wrapIoredisClient');
  const lifecycle = new IoredisLifecycle(client, {
    owned: false,
    pingInterval: false,
    clock: resolved.clock,
  });
  return new RedisAdapter(client, resolved, false, lifecycle);
}

/**
 * The client options of every node client of a cluster (`defaults`) or of a Sentinel set
 * (`nodeClientOptions`). node-redis applies ONLY these to the clients it creates for discovered
 * nodes (never the root/seed nodes' options), so every resilience setting goes here: no offline
 * queue, keepalive PINGs, the dead-socket detector, TCP keepalive, connect timeout, TLS,
 * credentials and a bounded, jittered reconnect strategy.
 *
 * One difference from a single-server adapter: node-redis owns the node clients (it creates,
 * replaces and drops them as the topology changes), so the adapter cannot drive their
 * reconnects itself. Node clients therefore keep a node-redis reconnect strategy that returns
 * the backoff's delay for transient causes (forever) and a typed error for permanent ones
 * (auth, TLS, protocol). Consequence: the first reconnect after a drop is immediate (node-redis
 * ignores the strategy's value for it), as documented in REDIS-CLIENT-FACTS.md.
 */
import type { Backoff } from '@breakwater/breaker';
import { buildClientOptions } from '../create-redis-adapter.js';
import type { ResolvedRedisAdapterOptions } from '../options.js';
import { permanentConnectionError } from '../reconnect-strategy.js';

/** node-redis' reconnectStrategy signature, as installed on node clients. */
export type NodeReconnectStrategy = (retries: number, cause: Error) => number | Error;

/**
 * A reconnect strategy node-redis drives by itself: `backoff.delay(retries)` for transient
 * causes, the typed permanent error (RedisAuthenticationError, RedisTlsError,
 * RedisProtocolError) otherwise, which stops that node client.
 */
export function createNodeReconnectStrategy(backoff: Backoff): NodeReconnectStrategy {
  return (retries, cause) => {
    const permanent = permanentConnectionError(cause);
    if (permanent !== undefined) return permanent;
    let d: number;
    try {
      d = backoff.delay(Math.max(0, retries));
    } catch {
      d = 1000;
    }
    return Number.isFinite(d) && d >= 0 ? Math.round(d) : 1000;
  };
}

/** Node-client options without address (node-redis fills in each node's host and port). */
export type NodeClientOptions = Record<string, unknown> & { socket: Record<string, unknown> };

/**
 * The per-node client options derived from the adapter's resolved options.
 * @param keepDatabase keep `database` (Sentinel); a cluster only has database 0
 */
export function buildNodeClientOptions(
  resolved: ResolvedRedisAdapterOptions,
  keepDatabase: boolean,
): NodeClientOptions {
  const base = buildClientOptions(resolved) as Record<string, unknown>;
  const { host: _host, port: _port, ...socket } = base.socket as Record<string, unknown>;
  socket.reconnectStrategy = createNodeReconnectStrategy(resolved.reconnectBackoff);
  const out: NodeClientOptions = { ...base, socket };
  if (!keepDatabase) delete out.database;
  return out;
}

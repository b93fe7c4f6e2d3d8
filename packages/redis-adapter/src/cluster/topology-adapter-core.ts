/**
 * What the cluster and Sentinel adapters share: the single-server adapter's {@link AdapterCore}
 * (events, the one error reporter, last error, the contexts handed to executeWithContext,
 * connect() outcomes) plus the {@link TopologyConnection}. Deadlines, classification, breaker
 * calls, fallbacks and reporting are NOT reimplemented here: they are the single-server code.
 */
import { AdapterCore, CONNECTION_OPERATION } from '../adapter-core.js';
import type { OperationConnection } from '../execute-redis-operation.js';
import type { ResolvedRedisAdapterOptions } from '../options.js';
import type { RedisAdapterEvents } from '../types.js';
import { TopologyConnection, type TopologyClientLike } from './topology-connection.js';

export { adapterBreakerOptions } from '../adapter-core.js';

/** Operation name of connection-level reports (node errors, discovery failures). */
export const TOPOLOGY_CONNECTION_OPERATION = CONNECTION_OPERATION;

/** An {@link AdapterCore} with the topology connection of one cluster or Sentinel adapter. */
export class TopologyAdapterCore<Events extends RedisAdapterEvents> extends AdapterCore<Events> {
  readonly topology: TopologyConnection;

  constructor(options: ResolvedRedisAdapterOptions, client: TopologyClientLike) {
    super(options);
    this.topology = new TopologyConnection(client, {
      connectTimeout: options.connectTimeout,
      reconnectBackoff: options.reconnectBackoff,
      clock: options.clock,
      ...this.connectionHooks(),
    });
  }

  /**
   * The topology seen as one connection by executeWithContext: ready while discovery is. A
   * deadline overrun cannot be pinned on a node here (no key, or Sentinel's internal master
   * clients): node-redis' socketTimeout on the node clients is the backstop.
   */
  operationConnection<C>(client: C): OperationConnection<C> {
    const topology = this.topology;
    return {
      client,
      epoch: 0,
      get state() {
        return topology.state;
      },
      get notReadySince() {
        return topology.notReadySince;
      },
      isReady: () => topology.isReady(),
      waitForReady: (ms) => topology.waitForReady(ms),
      notReadyCause: () => topology.failure,
      onDeadlineOverrun: () => undefined,
    };
  }

  /**
   * Connects the topology; see {@link AdapterCore.connect}. Any last error but a timeout makes
   * a `requireConnection` failure an "unreachable" one.
   */
  connectTopology(closed: boolean, what: string): Promise<void> {
    return this.connect(this.topology, closed, what, (kind) => kind !== 'timeout');
  }
}

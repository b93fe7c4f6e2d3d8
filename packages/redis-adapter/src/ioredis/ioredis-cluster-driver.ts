/**
 * The {@link ClusterDriver} over an ioredis `Cluster`: its slot table (`slots[slot][0]` is the
 * master), its connection pool (one ioredis `Redis` per node, created lazily), its slot refresh
 * and its events. ioredis has no event per node connection, so the driver listens on each node
 * as the pool creates it ('+node').
 *
 * What differs from node-redis, and how the driver bridges it:
 * - A node connection that drops reconnects by itself only with a `clusterNodeRetryStrategy`
 *   (the adapter's backoff, see create-ioredis-cluster-adapter.ts); nothing re-reads the
 *   topology meanwhile (only a MOVED reply would, and the shard's calls fall back before being
 *   sent), so a node's 'reconnecting' is reported and the adapter recovers the node, re-reading
 *   the topology every `topologyRefreshDelay` until a replica is promoted.
 * - `destroy()` of a node drops its socket (ioredis' `disconnect()` half-closes it, which a
 *   frozen server never answers, and ends the node, which removes it from the pool); the node's
 *   own retry strategy then reconnects it.
 * - ioredis has no keepalive PING: the driver PINGs every ready node every `pingInterval`.
 */
import type { Clock } from '@breakwater/breaker';
import type {
  ClusterDriver,
  ClusterDriverListeners,
  ClusterMasterInfo,
} from '../cluster/cluster-driver.js';
import type { NodeClientLike } from '../cluster/shard-connection.js';
import type { TopologyClientLike } from '../cluster/topology-connection.js';
import { asPermanentError } from '../reconnect-strategy.js';
import type { SocketErrorTap } from './socket-error-tap.js';

type Listener = (...args: unknown[]) => void;

/** The ioredis `Redis` surface of one node connection used here (public API). */
export interface IoredisNodeLike {
  readonly status: string;
  readonly options: { host?: string; port?: number };
  readonly stream?: { destroyed?: boolean; destroy(): void } | undefined;
  connect(): Promise<void>;
  ping(): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
}

/** The ioredis `Cluster` surface used here (public API, plus the pool for O(1) look-ups). */
export interface IoredisClusterLike {
  readonly status: string;
  readonly slots: ReadonlyArray<readonly string[] | undefined>;
  readonly isCluster?: boolean;
  connect(): Promise<void>;
  disconnect(reconnect?: boolean): void;
  quit(): Promise<unknown>;
  nodes(role?: 'all' | 'master' | 'slave'): IoredisNodeLike[];
  refreshSlotsCache(callback?: (error?: Error | null) => void): void;
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
}

/** ioredis' private connection pool (stable since ioredis 4); only used when present. */
interface ConnectionPoolLike {
  getInstanceByKey(key: string): IoredisNodeLike | undefined;
  findOrCreate(node: { host: string; port: number }, readOnly?: boolean): IoredisNodeLike;
}

/** Bound on waiting for a destroyed cluster to report 'end', in ms. */
const DESTROY_BOUND_MS = 1000;

const nodeAddress = (n: IoredisNodeLike): string =>
  `${n.options.host ?? '127.0.0.1'}:${n.options.port ?? 6379}`;

/** One ioredis node connection seen as a node client. */
class IoredisNodeClient implements NodeClientLike {
  constructor(readonly node: IoredisNodeLike) {}

  get isReady(): boolean {
    return this.node.status === 'ready';
  }

  /** A socket exists or ioredis is reconnecting it. */
  get isOpen(): boolean {
    const s = this.node.status;
    return s !== 'wait' && s !== 'end' && s !== 'close';
  }

  connect(): Promise<unknown> {
    return this.node.connect();
  }

  ping(): Promise<unknown> {
    return this.node.ping();
  }

  /** Drops the socket now; the node's retry strategy reconnects it. */
  destroy(): void {
    const stream = this.node.stream;
    if (stream !== undefined && stream.destroyed !== true) stream.destroy();
  }
}

/** The ioredis Cluster seen as the adapter's topology client. */
class IoredisClusterTopology implements TopologyClientLike {
  constructor(
    private readonly cluster: IoredisClusterLike,
    private readonly clock: Clock,
  ) {}

  get isOpen(): boolean {
    const s = this.cluster.status;
    return s !== 'wait' && s !== 'end' && s !== 'close';
  }

  get isReady(): boolean {
    return this.cluster.status === 'ready';
  }

  connect(): Promise<unknown> {
    return this.cluster.connect();
  }

  close(): Promise<unknown> {
    return this.cluster.quit();
  }

  /** Disconnects every node, dropping their sockets at once; resolves once the cluster ended. */
  destroy(): Promise<void> {
    const cluster = this.cluster;
    if (!this.isOpen && cluster.status !== 'close') return Promise.resolve();
    const nodes = cluster.nodes('all');
    const ended = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(done, DESTROY_BOUND_MS);
      function done(): void {
        cluster.off('end', done);
        resolve();
      }
      cluster.once('end', () => {
        this.clock.clearTimeout(timer);
        done();
      });
    });
    cluster.disconnect(false);
    for (const n of nodes) {
      const s = n.stream;
      if (s !== undefined && s.destroyed !== true) s.destroy();
    }
    return ended;
  }
}

/** Drives an ioredis Cluster. */
export class IoredisClusterDriver implements ClusterDriver {
  readonly dropsBrokenReplyStreams = true;
  readonly topologyClient: TopologyClientLike;
  private readonly wrappers = new WeakMap<IoredisNodeLike, IoredisNodeClient>();
  private pingTimer: unknown = undefined;
  private disposed = false;

  constructor(
    private readonly cluster: IoredisClusterLike,
    private readonly clock: Clock,
    /** Keepalive PING interval in ms for every ready node; `false`: none. */
    private readonly pingInterval: number | false,
    /** The socket errors of every connection (the `Connector` the cluster's nodes use). */
    private readonly socketErrors?: SocketErrorTap,
  ) {
    this.topologyClient = new IoredisClusterTopology(cluster, clock);
  }

  isReady(): boolean {
    return this.cluster.status === 'ready';
  }

  masterOfSlot(slot: number): string | undefined {
    if (!this.isReady()) return undefined;
    return this.cluster.slots[slot]?.[0];
  }

  masters(): readonly ClusterMasterInfo[] {
    if (!this.isReady()) return [];
    return this.cluster.nodes('master').map((n) => ({
      address: nodeAddress(n),
      client: this.wrapIfStarted(n),
    }));
  }

  nodeClient(address: string): NodeClientLike | undefined {
    const n = this.lookup(address);
    return n === undefined ? undefined : this.wrapIfStarted(n);
  }

  dial(address: string): NodeClientLike | undefined {
    let n = this.lookup(address);
    if (n === undefined && this.isReady() && this.servesSlots(address)) {
      const sep = address.lastIndexOf(':');
      n = this.pool()?.findOrCreate({
        host: address.slice(0, sep),
        port: Number(address.slice(sep + 1)),
      });
    }
    if (n === undefined) return undefined;
    if (n.status === 'wait') n.connect().catch(() => undefined);
    return this.wrap(n);
  }

  refreshTopology(_excluded: string): Promise<void> {
    // ioredis asks the nodes in random order, each bounded by slotsRefreshTimeout; it cannot
    // be told to skip one.
    return new Promise((resolve, reject) => {
      this.cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve()));
    });
  }

  warmUp(): void {
    if (!this.isReady()) return;
    for (const n of this.cluster.nodes('master')) {
      if (n.status === 'wait') n.connect().catch(() => undefined);
    }
  }

  listen(l: ClusterDriverListeners): void {
    const c = this.cluster;
    // An unhandled 'error' crashes the process: always listen.
    c.on('error', (error: unknown) => l.error(error));
    // Only the permanent ones (TLS): ioredis reports every transient one itself, and hides a
    // discovery connection's TLS failure behind "Connection is closed.".
    this.socketErrors?.listen((error) => {
      if (asPermanentError(error) !== undefined) l.error(error);
    });
    c.on('node error', (error: unknown, key: unknown) =>
      l.nodeError(error, typeof key === 'string' ? key : undefined),
    );
    const watch = (n: IoredisNodeLike): void => {
      const address = nodeAddress(n);
      n.on('connect', () => l.nodeConnect(address));
      n.on('ready', () => l.nodeReady(address));
      n.on('reconnecting', () => l.nodeReconnecting(address));
    };
    for (const n of c.nodes('all')) watch(n);
    c.on('+node', (n: unknown) => watch(n as IoredisNodeLike));
    c.on('-node', () => l.nodesChanged());
    c.on('refresh', () => l.nodesChanged());
    c.on('ready', () => {
      l.discovered();
      this.schedulePing();
    });
  }

  dispose(): void {
    this.disposed = true;
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  // ---- internals -------------------------------------------------------------------------

  private pool(): ConnectionPoolLike | undefined {
    const pool = (this.cluster as unknown as { connectionPool?: Partial<ConnectionPoolLike> })
      .connectionPool;
    return typeof pool?.getInstanceByKey === 'function' && typeof pool.findOrCreate === 'function'
      ? (pool as ConnectionPoolLike)
      : undefined;
  }

  private lookup(address: string): IoredisNodeLike | undefined {
    const pool = this.pool();
    if (pool !== undefined) return pool.getInstanceByKey(address);
    return this.cluster.nodes('all').find((n) => nodeAddress(n) === address);
  }

  private servesSlots(address: string): boolean {
    return this.cluster.nodes('master').some((n) => nodeAddress(n) === address);
  }

  /** A node never connected yet ('wait') is connected on demand: no client to watch. */
  private wrapIfStarted(n: IoredisNodeLike): NodeClientLike | undefined {
    return n.status === 'wait' ? undefined : this.wrap(n);
  }

  private wrap(n: IoredisNodeLike): IoredisNodeClient {
    let w = this.wrappers.get(n);
    if (w === undefined) this.wrappers.set(n, (w = new IoredisNodeClient(n)));
    return w;
  }

  /** One PING per ready node every pingInterval (ioredis has no keepalive of its own). */
  private schedulePing(): void {
    const every = this.pingInterval;
    if (every === false || this.pingTimer !== undefined || this.disposed) return;
    const tick = (): void => {
      this.pingTimer = this.clock.setTimeout(tick, every);
      if (this.cluster.status !== 'ready') return;
      for (const n of this.cluster.nodes('all')) {
        if (n.status === 'ready') n.ping().catch(() => undefined);
      }
    };
    this.pingTimer = this.clock.setTimeout(tick, every);
  }
}

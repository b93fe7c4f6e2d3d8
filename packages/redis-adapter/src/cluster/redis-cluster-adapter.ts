/**
 * The adapter over a Redis Cluster (node-redis' own createCluster, or an ioredis Cluster, each
 * through its {@link ClusterDriver}). Same surface as the single-server adapter
 * (RedisAdapterLike: executeRedisOperation, health, breaker, events), plus per-shard breakers
 * picked by the `key` call option. See shard-breakers.ts for why the breakers are per shard and
 * keyed by master address.
 */
import type { RedisOperationCounter } from '../operation-counts.js';
import { CircuitBreaker, type BreakerRegistry, type Unsubscribe } from '@breakwater/breaker';
import type { RedisClusterType } from 'redis';
import { breaksReplyStream, classifyConnectionError } from '../classify-error.js';
import { RedisCorruptedReplyError } from '../errors.js';
import {
  executeWithContext,
  type OperationConnection,
  type OperationContext,
} from '../execute-redis-operation.js';
import type {
  RedisAdapterLike,
  RedisConnectionState,
  RedisFallback,
  RedisObserveOptions,
  RedisOperationObserver,
} from '../types.js';
import type {
  RedisClusterAdapterEvents,
  RedisClusterHealth,
  RedisClusterOperationOptions,
  RedisClusterShardHealth,
} from './cluster-types.js';
import type { ClusterDriver } from './cluster-driver.js';
import { seedList, type ResolvedRedisClusterAdapterOptions } from './cluster-options.js';
import { probeAfterReconnect } from '../reconnect-probe.js';
import { keySlot } from './key-slot.js';
import { NodeRecovery } from './node-recovery.js';
import { createShardBreakers } from './shard-breakers.js';
import { ShardConnection } from './shard-connection.js';
import {
  TOPOLOGY_CONNECTION_OPERATION,
  TopologyAdapterCore,
  adapterBreakerOptions,
} from './topology-adapter-core.js';
import {
  adapterSummary,
  inspectAdapter,
  inspectSymbol,
  type AdapterSummary,
  type InspectFn,
  type InspectOptions,
} from '../printable-adapter.js';

/** The node-redis cluster client the adapter drives. */
export type NodeRedisCluster = RedisClusterType;

/** A resilient adapter over a cluster client (node-redis by default, or ioredis' Cluster). */
export class RedisClusterAdapter<C = NodeRedisCluster> implements RedisAdapterLike<C> {
  /** Which kind of adapter this is (the recipes pick the raw command shape by it). */
  readonly topology = 'cluster' as const;
  readonly name: string;
  /** The cluster-wide breaker: calls without `key`, and every call with `breakerScope: 'cluster'`. */
  readonly breaker: CircuitBreaker;
  /** The cluster client handed to every operation. */
  readonly client: C;
  private readonly core: TopologyAdapterCore<RedisClusterAdapterEvents>;
  /**
   * The per-shard breakers, by master address (a BreakerRegistry: pass it to
   * `instrumentBreakerRegistry` for metrics). Empty with `breakerScope: 'cluster'`.
   */
  readonly shardRegistry: BreakerRegistry;
  private readonly shards = new Map<
    string,
    { conn: ShardConnection<C>; ctx: OperationContext<C> }
  >();
  private readonly clusterCtx: OperationContext<C>;
  private readonly unownedCtx: OperationContext<C>;
  /** Pending reconnects of node clients dropped for a broken reply stream. */
  private readonly redials = new Set<unknown>();
  private closed = false;

  /** @internal use createRedisClusterAdapter or createIoredisClusterAdapter */
  constructor(
    client: C,
    private readonly driver: ClusterDriver,
    private readonly options: ResolvedRedisClusterAdapterOptions,
  ) {
    const base = options.base;
    this.name = base.name;
    this.client = client;
    this.core = new TopologyAdapterCore<RedisClusterAdapterEvents>(base, driver.topologyClient);
    const breakerOptions = adapterBreakerOptions(base, () => this.closed);
    this.breaker = new CircuitBreaker(base.name, breakerOptions);
    this.shardRegistry = createShardBreakers(
      base.name,
      breakerOptions,
      breakerOptions.clock,
      (address, breaker) => {
        if (this.core.events.has('shardBreaker'))
          this.core.events.emit('shardBreaker', { address, breaker });
      },
    );
    // Calls without a key: which node hung is unknown, node-redis' socketTimeout is the backstop.
    this.clusterCtx = this.core.context(this.core.operationConnection(client), this.breaker);
    const unowned: OperationConnection<C> = {
      client,
      epoch: 0,
      state: 'reconnecting',
      isReady: () => false,
      waitForReady: () => Promise.resolve(false),
      notReadyCause: () => undefined,
      onDeadlineOverrun: () => undefined,
    };
    this.unownedCtx = this.core.context(unowned, this.breaker);
    this.listen();
  }

  /** Connection state of the topology (discovery), not of individual shards (see health()). */
  /** What a logger serialises: name, topology and state (never options or credentials). */
  toJSON(): AdapterSummary {
    return adapterSummary(this);
  }

  /** What `console.log` / `util.inspect` print: the same summary, never the password. */
  [inspectSymbol](_depth: number, options: InspectOptions, inspectFn?: InspectFn): string {
    return inspectAdapter(this, 'RedisClusterAdapter', options, inspectFn);
  }

  get connectionState(): RedisConnectionState {
    return this.core.topology.state;
  }

  /**
   * Discovers the topology (one reachable seed suffices; node clients connect on demand, so a
   * down master does not hold this up). Settles within `connectTimeout`; see
   * AdapterCore.connect for the outcomes.
   */
  async connect(): Promise<void> {
    await this.core.connectTopology(
      this.closed,
      `Redis cluster (seeds ${seedList(this.options.rootNodes)})`,
    );
    if (this.core.topology.isReady()) this.driver.warmUp();
  }

  executeRedisOperation<T, F = T>(
    op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
    fallback: RedisFallback<F>,
    name: string,
    options?: RedisClusterOperationOptions,
  ): Promise<T | F> {
    const key = options?.key;
    let ctx = this.clusterCtx;
    if (key !== undefined) {
      const address = this.masterOf(key);
      if (address !== undefined) ctx = this.shard(address).ctx;
      // A known topology with no master for this slot (resharding, partial coverage): node-redis
      // would throw a TypeError, which looks like the caller's bug. Take the fallback instead.
      else if (this.driver.isReady()) ctx = this.unownedCtx;
    }
    return executeWithContext(ctx, op, fallback, name, options);
  }

  /** The master address (`host:port`) currently serving `key`, if the topology is known. */
  masterOf(key: string | Uint8Array): string | undefined {
    return this.driver.masterOfSlot(keySlot(key));
  }

  /** The shard breakers by master address (empty with `breakerScope: 'cluster'`). */
  shardBreakers(): ReadonlyMap<string, CircuitBreaker> {
    return new Map(this.shardRegistry.entries());
  }

  health(): RedisClusterHealth {
    const base = this.core.health(this.core.topology.state, this.breaker);
    let status = base.status;
    const shards: RedisClusterShardHealth[] = [];
    if (this.driver.isReady()) {
      for (const m of this.driver.masters()) {
        const connected = m.client === undefined || m.client.isReady;
        const b = this.shardRegistry.peek(m.address)?.getStats() ?? null;
        if (status === 'pass' && (!connected || (b !== null && b.state !== 'closed')))
          status = 'warn';
        shards.push({ address: m.address, connected, breaker: b });
      }
    }
    return { ...base, status, shards };
  }

  /**
   * Calls `observer(operation, result, reason, durationMs)` once for every executeRedisOperation
   * call when it settles (no event object per call: what the metrics packages use). Returns an
   * idempotent unsubscribe.
   */
  observeOperations(observer: RedisOperationObserver, options?: RedisObserveOptions): Unsubscribe {
    return this.core.observeOperations(observer, options);
  }

  /**
   * Opens a counter of executeRedisOperation outcomes per operation name, kept in plain integers
   * by the adapter and read with `counter.read()` (what the metrics packages do at scrape time:
   * no callback per call). Close it when done; counting stops once no counter is open.
   */
  countOperations(): RedisOperationCounter {
    return this.core.countOperations();
  }

  on<E extends keyof RedisClusterAdapterEvents>(
    event: E,
    listener: (payload: RedisClusterAdapterEvents[E]) => void,
  ): Unsubscribe {
    return this.core.on(event, listener);
  }

  /** Closes every node connection and clears every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.redials) this.options.base.clock.clearTimeout(t);
    this.redials.clear();
    for (const { conn } of this.shards.values()) conn.dispose();
    this.shards.clear();
    this.driver.dispose?.();
    const connections = this.driver.connections?.() ?? [];
    await this.core.topology.close();
    // The bounded graceful close is over: no node connection may outlive it (destroy() is
    // idempotent, and force-terminates a connection still draining).
    for (const c of connections) {
      try {
        c.destroy();
      } catch {
        // already closed
      }
    }
  }

  // ---- internals -------------------------------------------------------------------------

  private shard(address: string): {
    conn: ShardConnection<C>;
    ctx: OperationContext<C>;
  } {
    let s = this.shards.get(address);
    if (s === undefined) {
      const base = this.options.base;
      const conn = new ShardConnection(
        this.client,
        address,
        this.core.topology,
        (a) => this.driver.nodeClient(a),
        base.clock,
        (a, reason) =>
          this.core.onFailure(
            TOPOLOGY_CONNECTION_OPERATION,
            reason === 'lost' ? 'connection' : 'timeout',
            new Error(
              reason === 'overrun'
                ? `a command to ${a} overran its deadline; replacing that node's connection and re-reading the topology from the other nodes`
                : reason === 'lost'
                  ? `the connection to ${a} dropped; reconnecting it and re-reading the topology from the other nodes`
                  : `the handshake with ${a} did not finish within ${base.connectTimeout} ms; replacing that node's connection and re-reading the topology from the other nodes`,
            ),
          ),
        (onDone) => this.nodeRecovery(address, onDone),
        base.connectTimeout,
      );
      const breaker =
        this.options.breakerScope === 'shard' ? this.shardRegistry.get(address) : this.breaker;
      s = { conn, ctx: this.core.context(conn, breaker) };
      this.shards.set(address, s);
    }
    return s;
  }

  /**
   * A shard's connection is ready again while its own breaker is open: one PING on it is the
   * half-open trial (see reconnect-probe.ts), so the shard comes back with its node instead of
   * after the breaker's reset timeout. Only a shard breaker: the cluster-wide one (breakerScope
   * 'cluster') speaks for every shard, and one node's recovery does not close it.
   */
  private probe(address: string): void {
    if (this.options.breakerScope !== 'shard') return;
    const shard = this.shards.get(address);
    const client = this.driver.nodeClient(address);
    if (shard === undefined || client === undefined || typeof client.ping !== 'function') return;
    const conn = shard.conn;
    const epoch = conn.epoch;
    probeAfterReconnect({
      breaker: shard.ctx.breaker,
      ping: () => client.ping!(),
      timeout: this.options.base.operationTimeout,
      clock: this.options.base.clock,
      stillCurrent: () =>
        !this.closed &&
        conn.epoch === epoch &&
        this.driver.nodeClient(address) === client &&
        client.isReady,
    });
  }

  /** The recovery of one node: see node-recovery.ts. */
  private nodeRecovery(
    address: string,
    onDone: (outcome: 'ready' | 'replaced') => void,
  ): NodeRecovery {
    const base = this.options.base;
    const driver = this.driver;
    return new NodeRecovery({
      address,
      clock: base.clock,
      connectTimeout: base.connectTimeout,
      refreshInterval: this.options.topologyRefreshDelay,
      backoff: base.reconnectBackoff,
      nodeClient: () => driver.nodeClient(address),
      dial: () => driver.dial(address),
      servesSlots: () => driver.isReady() && driver.masters().some((m) => m.address === address),
      refreshTopology: (excluded) => driver.refreshTopology(excluded),
      onTopologyRefreshed: () => {
        if (!this.closed) this.prune();
      },
      onError: (kind, error) => this.core.onFailure(TOPOLOGY_CONNECTION_OPERATION, kind, error),
      onDone,
    });
  }

  /**
   * A node client's reply stream broke (see breaksReplyStream): node-redis kept its in-flight
   * commands, so the next reply would go to the wrong one. Destroy it now — we are inside its
   * socket's 'data' handler, before another reply is decoded; its in-flight commands reject with
   * DisconnectsClientError (kind `connection`) — then connect it again after the backoff's first
   * (jittered) delay. Returns false when there is no open client at that address.
   */
  private dropNodeClient(address: string, cause: unknown): boolean {
    const client = this.driver.nodeClient(address);
    if (client === undefined || !client.isOpen) return false;
    client.destroy();
    this.core.onFailure(
      TOPOLOGY_CONNECTION_OPERATION,
      'connection',
      new RedisCorruptedReplyError(`node ${address}`, { cause }),
    );
    const base = this.options.base;
    let delay = 0;
    try {
      const d = base.reconnectBackoff.delay(0);
      if (Number.isFinite(d)) delay = Math.min(1000, Math.max(0, d));
    } catch {
      // a throwing custom backoff: reconnect at once
    }
    const timer = base.clock.setTimeout(() => {
      this.redials.delete(timer);
      if (this.closed || client.isOpen || this.driver.nodeClient(address) !== client) return;
      client.connect().catch(() => undefined);
    }, delay);
    this.redials.add(timer);
    return true;
  }

  /** Drops shard state (breaker, waiters) of addresses that no longer serve slots. */
  private prune(): void {
    if (!this.driver.isReady()) return;
    const masters = new Set(this.driver.masters().map((m) => m.address));
    this.shardRegistry.retain(masters);
    for (const [address, s] of this.shards) {
      if (!masters.has(address)) {
        s.conn.dispose();
        this.shards.delete(address);
      }
    }
  }

  private listen(): void {
    const core = this.core;
    const report = (error: unknown): void => {
      if (this.closed || core.topology.failIfPermanent(error)) return;
      core.onFailure(TOPOLOGY_CONNECTION_OPERATION, classifyConnectionError(error), error);
    };
    const driver = this.driver;
    driver.listen({
      error: report,
      nodeError: (error, address) => {
        if (
          address !== undefined &&
          !driver.dropsBrokenReplyStreams &&
          breaksReplyStream(error) &&
          !this.closed
        ) {
          if (this.dropNodeClient(address, error)) return;
        }
        report(error);
      },
      nodeConnect: (address) => {
        if (!this.closed) this.shards.get(address)?.conn.onNodeConnect();
      },
      nodeReady: (address) => {
        if (this.closed) return;
        this.shards.get(address)?.conn.onNodeReady();
        this.prune();
        this.probe(address);
      },
      nodeReconnecting: (address) => {
        if (!this.closed) this.shards.get(address)?.conn.onNodeLost();
      },
      nodesChanged: () => {
        if (!this.closed) this.prune();
      },
      discovered: () => {
        if (this.closed) return;
        this.prune();
        driver.warmUp();
      },
    });
  }
}

/**
 * The adapter over a Redis Sentinel set (node-redis' own createSentinel). Same surface as the
 * single-server adapter (RedisAdapterLike). One breaker: a Sentinel set has one master, so
 * every call depends on the same server. A master that stops answering is watched by a
 * {@link SentinelMasterWatch} (calls fall back at once instead of paying their deadline; the
 * breaker is reset when node-redis switches to another master).
 */
import type { RedisOperationCounter } from '../operation-counts.js';
import { CircuitBreaker, type Unsubscribe } from '@breakwater/breaker';
import type { RedisSentinelType } from 'redis';
import { breaksReplyStream, classifyConnectionError } from '../classify-error.js';
import { RedisCorruptedReplyError } from '../errors.js';
import {
  executeWithContext,
  type OperationConnection,
  type OperationContext,
} from '../execute-redis-operation.js';
import type {
  RedisAdapterEvents,
  RedisAdapterLike,
  RedisConnectionState,
  RedisFallback,
  RedisHealth,
  RedisOperationOptions,
  RedisObserveOptions,
  RedisOperationObserver,
} from '../types.js';
import { seedList } from './cluster-options.js';
import { SentinelMasterWatch } from './sentinel-master-watch.js';
import type { ResolvedRedisSentinelAdapterOptions } from './sentinel-options.js';
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

/** The node-redis Sentinel client the adapter drives. */
export type NodeRedisSentinel = RedisSentinelType;

/** Events of a Sentinel adapter: the single-server events plus topology changes. */
export interface RedisSentinelAdapterEvents extends RedisAdapterEvents {
  /** node-redis' 'topology-change' (MASTER_CHANGE after a failover, REPLICA_ADD, …). */
  topologyChange: { type: string; node: { host: string; port: number } | undefined; at: number };
}

/** Pause between probe rounds of a master that stopped answering, in ms. */
export const MASTER_PROBE_INTERVAL_MS = 250;

/** Asks the sentinels which master they name now (`host:port`; undefined: none answered). */
export type SentinelMasterQuery = () => Promise<string | undefined>;

/** A resilient adapter over a node-redis Sentinel client. */
export class RedisSentinelAdapter implements RedisAdapterLike<NodeRedisSentinel> {
  /** Which kind of adapter this is (the recipes pick the raw command shape by it). */
  readonly topology = 'sentinel' as const;
  readonly name: string;
  readonly breaker: CircuitBreaker;
  /** The node-redis Sentinel client. */
  readonly client: NodeRedisSentinel;
  private readonly core: TopologyAdapterCore<RedisSentinelAdapterEvents>;
  private readonly ctx: OperationContext<NodeRedisSentinel>;
  /** The master watch: see sentinel-master-watch.ts. */
  private readonly watch: SentinelMasterWatch;
  private closed = false;

  /** @internal use createRedisSentinelAdapter */
  constructor(
    client: NodeRedisSentinel,
    private readonly options: ResolvedRedisSentinelAdapterOptions,
    askSentinels: SentinelMasterQuery = () => Promise.resolve(undefined),
  ) {
    const base = options.base;
    this.name = base.name;
    this.client = client;
    this.core = new TopologyAdapterCore<RedisSentinelAdapterEvents>(base, client);
    this.breaker = new CircuitBreaker(
      base.name,
      adapterBreakerOptions(base, () => this.closed),
    );
    const hooks = this.core.connectionHooks();
    this.watch = new SentinelMasterWatch({
      clock: base.clock,
      probeInterval: MASTER_PROBE_INTERVAL_MS,
      // through node-redis' own master connection: an answer proves the calls' path works
      ping: () => client.ping(),
      askSentinels,
      onMasterChanged: () => this.breaker.reset(),
      onSuspectChange: (suspect) => {
        if (this.closed || this.core.topology.state !== 'ready') return;
        const at = base.clock.now();
        hooks.onStateChange(
          suspect
            ? { from: 'ready', to: 'reconnecting', at }
            : { from: 'reconnecting', to: 'ready', at },
        );
      },
      onError: (kind, error) => this.core.onFailure(TOPOLOGY_CONNECTION_OPERATION, kind, error),
    });
    this.ctx = this.core.context(this.masterConnection(), this.breaker);
    this.listen();
  }

  /** What a logger serialises: name, topology and state (never options or credentials). */
  toJSON(): AdapterSummary {
    return adapterSummary(this);
  }

  /** What `console.log` / `util.inspect` print: the same summary, never the password. */
  [inspectSymbol](_depth: number, options: InspectOptions, inspectFn?: InspectFn): string {
    return inspectAdapter(this, 'RedisSentinelAdapter', options, inspectFn);
  }

  /** The topology's state, `reconnecting` while the master is suspect. */
  get connectionState(): RedisConnectionState {
    const state = this.core.topology.state;
    return state === 'ready' && this.watch.suspect ? 'reconnecting' : state;
  }

  /**
   * Asks the sentinels for the master and connects to it. Settles within `connectTimeout`
   * (node-redis alone gives up only after ~17 s when the master is unreachable); without
   * `requireConnection` the adapter then runs degraded and keeps retrying in the background.
   */
  connect(): Promise<void> {
    return this.core.connectTopology(
      this.closed,
      `Redis Sentinel "${this.options.masterName}" (sentinels ${seedList(this.options.sentinelRootNodes)})`,
    );
  }

  executeRedisOperation<T, F = T>(
    op: (client: NodeRedisSentinel, signal: AbortSignal) => T | PromiseLike<T>,
    fallback: RedisFallback<F>,
    name: string,
    options?: RedisOperationOptions,
  ): Promise<T | F> {
    return executeWithContext(this.ctx, op, fallback, name, options);
  }

  /**
   * While the master is suspect (a failover is expected to restore service) the status is
   * `warn`, even with the breaker open; `fail` only when the topology itself failed or closed.
   */
  health(): RedisHealth {
    const h = this.core.health(this.connectionState, this.breaker);
    if (this.watch.suspect && h.status === 'fail') {
      const state = this.core.topology.state;
      if (state !== 'failed' && state !== 'closed') return { ...h, status: 'warn' };
    }
    return h;
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

  on<E extends keyof RedisSentinelAdapterEvents>(
    event: E,
    listener: (payload: RedisSentinelAdapterEvents[E]) => void,
  ): Unsubscribe {
    return this.core.on(event, listener);
  }

  /** Closes the master, replica and sentinel connections and clears every timer. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watch.stop();
    await this.core.topology.close();
  }

  /**
   * The connection executeWithContext sees: the topology's, not ready while the master is
   * suspect (the grace counted from when it became suspect), and an overrun starts suspicion.
   */
  private masterConnection(): OperationConnection<NodeRedisSentinel> {
    const topology = this.core.topology;
    const watch = this.watch;
    const clock = this.options.base.clock;
    const state = (): RedisConnectionState => this.connectionState;
    return {
      client: this.client,
      get epoch() {
        return watch.epoch;
      },
      get state() {
        return state();
      },
      get notReadySince() {
        return topology.isReady() ? watch.suspectSince : topology.notReadySince;
      },
      isReady: () => topology.isReady() && !watch.suspect,
      waitForReady: async (ms) => {
        const start = clock.now();
        if (!topology.isReady() && !(await topology.waitForReady(ms))) return false;
        return watch.waitForClear(ms - (clock.now() - start));
      },
      notReadyCause: () => topology.failure,
      onDeadlineOverrun: (epoch) => {
        if (!this.closed) watch.onDeadlineOverrun(epoch);
      },
    };
  }

  private listen(): void {
    const s = this.client;
    const core = this.core;
    // An unhandled 'error' crashes the process: always listen. With
    // passthroughClientErrorEvents the master/replica/sentinel clients' errors arrive here too.
    s.on('error', (error: unknown) => {
      if (this.closed) return;
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      // A broken reply stream (master, replica or sentinel connection): node-redis kept the
      // in-flight commands; drop every connection now, inside this emit, and reconnect.
      if (
        breaksReplyStream(cause) &&
        core.topology.restart(new RedisCorruptedReplyError(connectionOf(error), { cause }))
      ) {
        return;
      }
      if (core.topology.failIfPermanent(cause)) return;
      const kind = classifyConnectionError(cause);
      core.onFailure(TOPOLOGY_CONNECTION_OPERATION, kind, error);
      // node-redis names the failing client: "Master Client (host:port): …"
      if (
        (kind === 'connection' || kind === 'timeout') &&
        error instanceof Error &&
        error.message.startsWith('Master Client (') &&
        core.topology.isReady()
      ) {
        this.watch.onConnectionError(cause);
      }
    });
    s.on('ready', () => {
      if (this.closed) return;
      core.topology.markReady();
    });
    s.on('reconnecting', () => {
      if (!this.closed) core.topology.markReconnecting();
    });
    s.on('topology-change', (event: { type: string; node?: { host: string; port: number } }) => {
      if (this.closed) return;
      if (event.type === 'MASTER_CHANGE' && event.node !== undefined) {
        this.watch.onMasterChange(`${event.node.host}:${event.node.port}`);
      }
      if (!core.events.has('topologyChange')) return;
      core.events.emit('topologyChange', {
        type: event.type,
        node:
          event.node === undefined ? undefined : { host: event.node.host, port: event.node.port },
        at: this.options.base.clock.now(),
      });
    });
  }
}

/** "master client 10.0.0.1:6379" from node-redis' passthrough error ("Master Client (…): …"). */
function connectionOf(error: unknown): string {
  const m = /^(Master|Replica|Sentinel) Client \(([^)]*)\)/.exec(
    error instanceof Error ? error.message : '',
  );
  return m === null ? 'a Sentinel-managed connection' : `${m[1]!.toLowerCase()} client ${m[2]}`;
}

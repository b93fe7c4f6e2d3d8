/**
 * The adapter object: composes a {@link RedisConnection}, a {@link CircuitBreaker} and the
 * {@link AdapterCore} (events, reporter, last error), and exposes executeRedisOperation, health,
 * connect and close. Built by createRedisAdapter / wrapRedisClient (node-redis) and
 * createIoredisAdapter / wrapIoredisClient (ioredis, through a lifecycle shim).
 */
import type { RedisOperationCounter } from './operation-counts.js';
import { CircuitBreaker, type Unsubscribe } from '@breakwater/breaker';
import { AdapterCore, adapterBreakerOptions } from './adapter-core.js';
import { RedisConnection, type NodeRedisClientLike } from './connection.js';
import { executeWithContext, type OperationContext } from './execute-redis-operation.js';
import type { ResolvedRedisAdapterOptions } from './options.js';
import { probeAfterReconnect } from './reconnect-probe.js';
import type {
  RedisAdapterEvents,
  RedisAdapterLike,
  RedisConnectionState,
  RedisFallback,
  RedisHealth,
  RedisOperationOptions,
  RedisObserveOptions,
  RedisOperationObserver,
} from './types.js';
import {
  adapterSummary,
  inspectAdapter,
  inspectSymbol,
  type AdapterSummary,
  type InspectFn,
  type InspectOptions,
} from './printable-adapter.js';

/** A resilient Redis adapter around one client. */
export class RedisAdapter<C = unknown> implements RedisAdapterLike<C> {
  /** Which kind of adapter this is (the recipes pick the raw command shape by it). */
  readonly topology = 'single' as const;
  readonly name: string;
  readonly breaker: CircuitBreaker;
  /** The underlying client (use it directly only for what executeRedisOperation can't do). */
  readonly client: C;
  private readonly connection: RedisConnection<C>;
  private readonly core: AdapterCore;
  private readonly ctx: OperationContext<C>;
  private closed = false;

  /**
   * @internal use createRedisAdapter / wrapRedisClient or createIoredisAdapter / wrapIoredisClient.
   * `lifecycle` drives a client without the node-redis surface (default: the client itself).
   */
  constructor(
    client: C,
    private readonly options: ResolvedRedisAdapterOptions,
    ownsClient: boolean,
    lifecycle?: NodeRedisClientLike,
  ) {
    this.name = options.name;
    this.client = client;
    this.breaker = new CircuitBreaker(
      options.name,
      adapterBreakerOptions(options, () => this.closed),
    );
    this.core = new AdapterCore(options);
    const hooks = this.core.connectionHooks();
    this.connection = new RedisConnection(client, {
      connectTimeout: options.connectTimeout,
      reconnectBackoff: options.reconnectBackoff,
      clock: options.clock,
      ownsReconnect: ownsClient,
      ...(lifecycle === undefined ? {} : { lifecycle }),
      ...hooks,
      onStateChange: (change) => {
        hooks.onStateChange(change);
        if (change.to === 'ready') this.probe();
      },
    });
    this.ctx = this.core.context(this.connection, this.breaker);
  }

  /** A fresh connection while the breaker is open: one PING is its half-open trial. */
  private probe(): void {
    const connection = this.connection;
    const epoch = connection.epoch;
    const client = this.client as { ping?: () => Promise<unknown> };
    if (typeof client.ping !== 'function') return;
    probeAfterReconnect({
      breaker: this.breaker,
      ping: () => (client.ping as () => Promise<unknown>).call(client),
      timeout: this.options.operationTimeout,
      clock: this.options.clock,
      stillCurrent: () => connection.epoch === epoch && connection.isReady(),
    });
  }

  /** Current connection state. */
  /** What a logger serialises: name, topology and state (never options or credentials). */
  toJSON(): AdapterSummary {
    return adapterSummary(this);
  }

  /** What `console.log` / `util.inspect` print: the same summary, never the password. */
  [inspectSymbol](_depth: number, options: InspectOptions, inspectFn?: InspectFn): string {
    return inspectAdapter(this, 'RedisAdapter', options, inspectFn);
  }

  get connectionState(): RedisConnectionState {
    return this.connection.state;
  }

  /**
   * Connects. Settles within `connectTimeout`: resolves once ready; on a permanent failure
   * (auth, TLS, protocol) rejects with its typed error; when Redis is merely unreachable,
   * resolves and keeps reconnecting in the background (degraded), or with
   * `requireConnection` stops and rejects with RedisUnavailableError / RedisConnectTimeoutError.
   */
  connect(): Promise<void> {
    return this.core.connect(
      this.connection,
      this.closed,
      `Redis at ${this.options.displayUrl}`,
      (kind) => kind === 'connection',
    );
  }

  executeRedisOperation<T, F = T>(
    op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
    fallback: RedisFallback<F>,
    name: string,
    options?: RedisOperationOptions,
  ): Promise<T | F> {
    return executeWithContext(this.ctx, op, fallback, name, options);
  }

  health(): RedisHealth {
    return this.core.health(this.connection.state, this.breaker);
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

  on<E extends keyof RedisAdapterEvents>(
    event: E,
    listener: (payload: RedisAdapterEvents[E]) => void,
  ): Unsubscribe {
    return this.core.on(event, listener);
  }

  /** Closes the client and clears every timer; the process can exit afterwards. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.close();
  }
}

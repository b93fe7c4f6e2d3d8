/**
 * The adapter object: composes a {@link RedisConnection}, a {@link CircuitBreaker}, the
 * {@link ErrorReportGate} and the events, and exposes executeRedisOperation, health, connect and
 * close. Built by createRedisAdapter / wrapRedisClient.
 */
import { CircuitBreaker, type Unsubscribe } from '@breakwater/breaker';
import { AdapterEvents } from './adapter-events.js';
import { RedisConnection, type NodeRedisClientLike } from './connection.js';
import { RedisConnectTimeoutError, RedisUnavailableError } from './errors.js';
import {
  executeWithContext,
  isRedisAvailabilityFailure,
  type OperationContext,
} from './execute-redis-operation.js';
import { redisHealthStatus } from './health.js';
import type { ResolvedRedisAdapterOptions } from './options.js';
import { errorMessage } from './redact.js';
import { ErrorReportGate } from './reporter.js';
import type {
  RedisAdapterEvents,
  RedisAdapterLike,
  RedisConnectionState,
  RedisFailureKind,
  RedisFallback,
  RedisHealth,
  RedisOperationOptions,
} from './types.js';

/** Operation name used for connection-level reports (client 'error' events, reconnects). */
export const CONNECTION_OPERATION = 'connection';

/** A resilient Redis adapter around one client. */
export class RedisAdapter<C extends NodeRedisClientLike> implements RedisAdapterLike<C> {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  /** The underlying client (use it directly only for what executeRedisOperation can't do). */
  readonly client: C;
  private readonly connection: RedisConnection<C>;
  private readonly events = new AdapterEvents<RedisAdapterEvents>();
  private readonly gate: ErrorReportGate;
  private readonly ctx: OperationContext<C>;
  private lastError: RedisHealth['lastError'] = null;
  private closed = false;

  /** @internal use createRedisAdapter or wrapRedisClient */
  constructor(
    client: C,
    private readonly options: ResolvedRedisAdapterOptions,
    ownsClient: boolean,
  ) {
    this.name = options.name;
    this.client = client;
    const clock = options.clock;
    this.breaker = new CircuitBreaker(options.name, {
      ...options.breaker,
      timeout: options.operationTimeout,
      isFailure: isRedisAvailabilityFailure,
      clock,
    });
    this.gate = new ErrorReportGate({
      reporter: options.reporter,
      interval: options.reportInterval,
      clock,
      secrets: options.secrets,
      onDelivered: (report) => {
        if (this.events.has('report')) this.events.emit('report', report);
      },
    });
    this.connection = new RedisConnection(client, {
      connectTimeout: options.connectTimeout,
      reconnectBackoff: options.reconnectBackoff,
      clock,
      ownsReconnect: ownsClient,
      onStateChange: (p) => {
        if (this.events.has('connectionState')) this.events.emit('connectionState', p);
      },
      onReconnecting: (p) => {
        if (this.events.has('reconnecting')) this.events.emit('reconnecting', p);
      },
      onError: (kind, error) => this.onFailure(CONNECTION_OPERATION, kind, error),
    });
    const events = this.events;
    this.ctx = {
      connection: this.connection,
      breaker: this.breaker,
      reconnectGrace: options.reconnectGrace,
      operationTimeout: options.operationTimeout,
      clock,
      secrets: options.secrets,
      onFailure: (operation, kind, error) => this.onFailure(operation, kind, error),
      operationEvents: {
        hasListeners: () => events.has('operation'),
        emit: (payload) => events.emit('operation', payload),
      },
    };
  }

  /** Current connection state. */
  get connectionState(): RedisConnectionState {
    return this.connection.state;
  }

  /**
   * Connects. Settles within `connectTimeout`: resolves once ready; on a permanent failure
   * (auth, TLS, protocol) rejects with its typed error; when Redis is merely unreachable,
   * resolves and keeps reconnecting in the background (degraded), or with
   * `requireConnection` stops and rejects with RedisUnavailableError / RedisConnectTimeoutError.
   */
  async connect(): Promise<void> {
    if (this.closed) throw new RedisUnavailableError(`Redis adapter "${this.name}" is closed`);
    const outcome = await this.connection.connect();
    if (outcome === 'ready') return;
    if (outcome === 'failed') throw this.connection.failure;
    if (outcome === 'closed') {
      throw new RedisUnavailableError(`Redis adapter "${this.name}" was closed while connecting`);
    }
    if (!this.options.requireConnection) return;
    const last = this.lastError;
    this.connection.stop();
    const target = this.options.displayUrl;
    if (last !== null && last.kind === 'connection') {
      throw new RedisUnavailableError(`Redis at ${target} is unreachable: ${last.message}`);
    }
    throw new RedisConnectTimeoutError(this.options.connectTimeout);
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
    const breaker = this.breaker.getStats();
    const connection = this.connection.state;
    return {
      status: redisHealthStatus(connection, breaker.state),
      connection,
      breaker,
      lastError: this.lastError === null ? null : { ...this.lastError },
    };
  }

  on<E extends keyof RedisAdapterEvents>(
    event: E,
    listener: (payload: RedisAdapterEvents[E]) => void,
  ): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** Closes the client and clears every timer; the process can exit afterwards. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.close();
  }

  private onFailure(operation: string, kind: RedisFailureKind | 'data', error: unknown): void {
    if (kind !== 'data' && kind !== 'circuit-open' && kind !== 'not-ready') {
      this.lastError = {
        kind,
        message: errorMessage(error, this.options.secrets),
        at: this.options.clock.now(),
      };
    }
    this.gate.report(operation, kind, error);
  }
}

/**
 * What the cluster and Sentinel adapters share: the events, the one error reporter (the
 * single-server adapter's {@link ErrorReportGate}), the last connection error for health, the
 * {@link TopologyConnection} and the contexts handed to the single-server adapter's
 * {@link executeWithContext}. Deadlines, classification, breaker calls, fallbacks and
 * reporting are NOT reimplemented here: they are the single-server adapter's code.
 */
import type { CircuitBreaker, Unsubscribe } from '@breakwater/breaker';
import { AdapterEvents } from '../adapter-events.js';
import { RedisConnectTimeoutError, RedisUnavailableError } from '../errors.js';
import {
  isRedisAvailabilityFailure,
  type OperationConnection,
  type OperationContext,
} from '../execute-redis-operation.js';
import type { RedisBreakerOptions, ResolvedRedisAdapterOptions } from '../options.js';
import { errorMessage } from '../redact.js';
import { ErrorReportGate } from '../reporter.js';
import type { RedisAdapterEvents, RedisFailureKind, RedisHealth } from '../types.js';
import { TopologyConnection, type TopologyClientLike } from './topology-connection.js';

/** Operation name of connection-level reports (node errors, discovery failures). */
export const TOPOLOGY_CONNECTION_OPERATION = 'connection';

/** Breaker options the adapter always sets (deadline, classification, clock). */
export function adapterBreakerOptions(base: ResolvedRedisAdapterOptions): RedisBreakerOptions & {
  timeout: number;
  isFailure: (e: unknown) => boolean;
  clock: ResolvedRedisAdapterOptions['clock'];
} {
  return {
    ...base.breaker,
    timeout: base.operationTimeout,
    isFailure: isRedisAvailabilityFailure,
    clock: base.clock,
  };
}

/** Events, reporting, last error and the topology connection of one adapter. */
export class TopologyAdapterCore<Events extends RedisAdapterEvents> {
  readonly events = new AdapterEvents<Events>();
  readonly gate: ErrorReportGate;
  readonly topology: TopologyConnection;
  lastError: RedisHealth['lastError'] = null;

  constructor(
    readonly options: ResolvedRedisAdapterOptions,
    client: TopologyClientLike,
  ) {
    const clock = options.clock;
    const events = this.events as unknown as AdapterEvents<RedisAdapterEvents>;
    this.gate = new ErrorReportGate({
      reporter: options.reporter,
      interval: options.reportInterval,
      clock,
      secrets: options.secrets,
      onDelivered: (report) => {
        if (events.has('report')) events.emit('report', report);
      },
    });
    this.topology = new TopologyConnection(client, {
      connectTimeout: options.connectTimeout,
      reconnectBackoff: options.reconnectBackoff,
      clock,
      onStateChange: (p) => {
        if (events.has('connectionState')) events.emit('connectionState', p);
      },
      onReconnecting: (p) => {
        if (events.has('reconnecting')) events.emit('reconnecting', p);
      },
      onError: (kind, error) => this.onFailure(TOPOLOGY_CONNECTION_OPERATION, kind, error),
    });
  }

  /** Records and reports a failure (the single place every error goes through). */
  onFailure(operation: string, kind: RedisFailureKind | 'data', error: unknown): void {
    if (kind !== 'data' && kind !== 'circuit-open' && kind !== 'not-ready') {
      this.lastError = {
        kind,
        message: errorMessage(error, this.options.secrets),
        at: this.options.clock.now(),
      };
    }
    this.gate.report(operation, kind, error);
  }

  /** A context for executeWithContext over `connection` through `breaker`. */
  context<C>(connection: OperationConnection<C>, breaker: CircuitBreaker): OperationContext<C> {
    const events = this.events as unknown as AdapterEvents<RedisAdapterEvents>;
    return {
      connection,
      breaker,
      reconnectGrace: this.options.reconnectGrace,
      operationTimeout: this.options.operationTimeout,
      clock: this.options.clock,
      secrets: this.options.secrets,
      onFailure: (operation, kind, error) => this.onFailure(operation, kind, error),
      operationEvents: {
        hasListeners: () => events.has('operation'),
        emit: (payload) => events.emit('operation', payload),
      },
    };
  }

  /**
   * connect(): settles within `connectTimeout`. Resolves when ready, or (unreachable, without
   * `requireConnection`) degraded while discovery is retried in the background; rejects with the
   * typed permanent error (auth, TLS, protocol), or with RedisUnavailableError /
   * RedisConnectTimeoutError under `requireConnection`.
   */
  async connect(closed: boolean, what: string): Promise<void> {
    if (closed) throw new RedisUnavailableError(`Redis adapter "${this.options.name}" is closed`);
    const outcome = await this.topology.connect();
    if (outcome === 'ready') return;
    if (outcome === 'failed') throw this.topology.failure;
    if (outcome === 'closed') {
      throw new RedisUnavailableError(
        `Redis adapter "${this.options.name}" was closed while connecting`,
      );
    }
    if (!this.options.requireConnection) return;
    const last = this.lastError;
    this.topology.stop();
    if (last !== null && last.kind !== 'timeout') {
      throw new RedisUnavailableError(`${what} is unreachable: ${last.message}`);
    }
    throw new RedisConnectTimeoutError(this.options.connectTimeout);
  }

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }
}

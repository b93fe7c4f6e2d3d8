/**
 * What every adapter (single server, cluster, Sentinel) is made of besides its connection: the
 * typed events, the one error reporter ({@link ErrorReportGate}), the last error for health,
 * the breaker options the adapter owns, the {@link OperationContext} handed to
 * executeWithContext, and the outcome handling of `connect()`.
 */
import {
  Emitter,
  ObserverSet,
  systemClock,
  type CircuitBreaker,
  type CircuitBreakerOptions,
  type Unsubscribe,
} from '@breakwater/breaker';
import {
  connectionChannel,
  reconnectingChannel,
  type RedisConnectionMessage,
  type RedisReconnectingMessage,
} from './diagnostics.js';
import { isRedisAnswer } from './classify-error.js';
import { RedisConnectTimeoutError, RedisUnavailableError } from './errors.js';
import {
  isRedisAvailabilityFailure,
  type OperationConnection,
  type OperationContext,
} from './execute-redis-operation.js';
import { redisHealthStatus } from './health.js';
import { OperationCounting, type RedisOperationCounter } from './operation-counts.js';
import type { ResolvedRedisAdapterOptions } from './options.js';
import type { WaitOutcome } from './ready-waiters.js';
import { errorMessage } from './redact.js';
import { ErrorReportGate } from './reporter.js';
import type {
  RedisAdapterEvents,
  RedisConnectionState,
  RedisFailureKind,
  RedisFallbackReason,
  RedisHealth,
  RedisObserveOptions,
  RedisOperationObserver,
} from './types.js';

/** Operation name used for connection-level reports (client 'error' events, reconnects). */
export const CONNECTION_OPERATION = 'connection';

/**
 * Breaker options of an adapter: the user's, plus the deadline, classification and clock.
 * `closed` says whether the adapter has been closed: from then on an op's error that is not an
 * answer of Redis is the close's doing (node-redis' Sentinel, destroyed under a command in
 * flight, rejects it with a TypeError from its own internals), so it takes the fallback instead
 * of reaching the caller as a data error.
 */
export function adapterBreakerOptions(
  o: ResolvedRedisAdapterOptions,
  closed: () => boolean,
): CircuitBreakerOptions {
  return {
    ...o.breaker,
    timeout: o.operationTimeout,
    isFailure: (error) => isRedisAvailabilityFailure(error) || (closed() && !isRedisAnswer(error)),
    clock: o.clock,
  };
}

/** What `connect()` needs from a connection (RedisConnection, TopologyConnection). */
export interface ConnectableConnection {
  connect(): Promise<WaitOutcome>;
  /** The typed permanent error after a 'failed' outcome. */
  readonly failure: Error | undefined;
  /** Gives up connecting (timers, sockets) without closing for good. */
  stop(): void;
}

/** The callbacks a connection reports its lifecycle through. */
export interface ConnectionHooks {
  onStateChange(payload: RedisAdapterEvents['connectionState']): void;
  onReconnecting(payload: RedisAdapterEvents['reconnecting']): void;
  onError(kind: RedisFailureKind, error: unknown): void;
}

/** Events, reporting and last error of one adapter. */
export class AdapterCore<Events extends RedisAdapterEvents = RedisAdapterEvents> {
  readonly events = new Emitter<Events>();
  readonly gate: ErrorReportGate;
  lastError: RedisHealth['lastError'] = null;
  /** What every context of this adapter calls per operation; undefined while nobody observes. */
  readonly operationObserver: { current: RedisOperationObserver | undefined; timed: boolean } = {
    current: undefined,
    timed: false,
  };
  /** The observers; `operationObserver` mirrors them for the hot path. */
  private readonly observers = new ObserverSet<Parameters<RedisOperationObserver>, boolean>(
    'operation observer',
    () => {
      const holder = this.operationObserver;
      holder.current = this.observers.current;
      holder.timed = this.observers.some((timed) => timed);
    },
  );
  /** Plain-integer outcome counts, kept while a counter is open (`countOperations()`). */
  private readonly counting = new OperationCounting();
  /** The same emitter seen through the events every adapter has. */
  private readonly base: Emitter<RedisAdapterEvents>;

  constructor(readonly options: ResolvedRedisAdapterOptions) {
    const events = (this.base = this.events as unknown as Emitter<RedisAdapterEvents>);
    this.gate = new ErrorReportGate({
      reporter: options.reporter,
      interval: options.reportInterval,
      clock: options.clock,
      secrets: options.secrets,
      onDelivered: (report) => {
        if (events.has('report')) events.emit('report', report);
      },
    });
  }

  /** Records and reports a failure (the single place every error goes through). */
  onFailure(operation: string, kind: RedisFallbackReason | 'data', error: unknown): void {
    if (kind !== 'data' && kind !== 'corrupt' && kind !== 'circuit-open' && kind !== 'not-ready') {
      this.lastError = {
        kind,
        message: errorMessage(error, this.options.secrets),
        at: this.options.clock.now(),
      };
    }
    this.gate.report(operation, kind, error);
  }

  /** Connection callbacks feeding the events and the reporter. */
  connectionHooks(): ConnectionHooks {
    const events = this.base;
    const client = this.options.name;
    return {
      onStateChange: (p) => {
        if (events.has('connectionState')) events.emit('connectionState', p);
        if (connectionChannel.hasSubscribers) {
          const message: RedisConnectionMessage = { client, from: p.from, to: p.to, at: p.at };
          connectionChannel.publish(message);
        }
      },
      onReconnecting: (p) => {
        if (events.has('reconnecting')) events.emit('reconnecting', p);
        if (reconnectingChannel.hasSubscribers) {
          const { attempt, delayMs, kind } = p;
          const message: RedisReconnectingMessage = { client, attempt, delayMs, kind };
          reconnectingChannel.publish(message);
        }
      },
      onError: (kind, error) => this.onFailure(CONNECTION_OPERATION, kind, error),
    };
  }

  /** A context for executeWithContext over `connection` through `breaker`. */
  context<C>(
    connection: OperationConnection<C>,
    breaker: OperationContext<C>['breaker'],
  ): OperationContext<C> {
    const events = this.base;
    const o = this.options;
    return {
      connection,
      breaker,
      adapterName: o.name,
      operationObserver: this.operationObserver,
      operationCounts: this.counting.holder,
      observeNow: o.clock === systemClock ? () => performance.now() : () => o.clock.now(),
      reconnectGrace: o.reconnectGrace,
      operationTimeout: o.operationTimeout,
      clock: o.clock,
      secrets: o.secrets,
      onFailure: (operation, kind, error) => this.onFailure(operation, kind, error),
      operationEvents: {
        listening: events.listening('operation'),
        emit: (payload) => events.emit('operation', payload),
      },
    };
  }

  /**
   * connect() of an adapter: settles within `connectTimeout`. Resolves when ready, or (merely
   * unreachable, without `requireConnection`) degraded while the connection keeps retrying in
   * the background; rejects with the typed permanent error (auth, TLS, protocol), or under
   * `requireConnection` stops and rejects with RedisUnavailableError (naming `what` and the last
   * error, when `unreachable(lastKind)`) or RedisConnectTimeoutError.
   */
  async connect(
    connection: ConnectableConnection,
    closed: boolean,
    what: string,
    unreachable: (kind: RedisFailureKind) => boolean,
  ): Promise<void> {
    const name = this.options.name;
    if (closed) throw new RedisUnavailableError(`Redis adapter "${name}" is closed`);
    const outcome = await connection.connect();
    if (outcome === 'ready') return;
    if (outcome === 'failed') throw connection.failure;
    if (outcome === 'closed') {
      throw new RedisUnavailableError(`Redis adapter "${name}" was closed while connecting`);
    }
    if (!this.options.requireConnection) return;
    const last = this.lastError;
    connection.stop();
    if (last !== null && unreachable(last.kind)) {
      throw new RedisUnavailableError(`${what} is unreachable: ${last.message}`);
    }
    throw new RedisConnectTimeoutError(this.options.connectTimeout);
  }

  /** Health from memory: connection state, breaker state, a copy of the last error. */
  health(connection: RedisConnectionState, breaker: CircuitBreaker): RedisHealth {
    const stats = breaker.getStats();
    const lastError = this.lastError;
    return {
      status: redisHealthStatus(connection, stats.state),
      connection,
      breaker: stats,
      lastError: lastError === null ? null : { ...lastError },
    };
  }

  /**
   * Adds an operation observer (see {@link RedisOperationObserver}); returns an idempotent
   * unsubscribe. With one observer it is called directly; with several, one after the other.
   */
  observeOperations(observer: RedisOperationObserver, options?: RedisObserveOptions): Unsubscribe {
    if (typeof observer !== 'function') {
      throw new TypeError(`observer must be a function, got ${typeof observer}`);
    }
    const durations = options?.durations ?? true;
    if (typeof durations !== 'boolean') {
      throw new TypeError(`options.durations must be a boolean, got ${typeof durations}`);
    }
    return this.observers.add(observer, durations);
  }

  /**
   * Opens a counter of executeRedisOperation outcomes per operation name (see
   * {@link RedisOperationCounter}): while one is open, each call costs one increment and no
   * callback. What the metrics packages read at scrape time.
   */
  countOperations(): RedisOperationCounter {
    return this.counting.counter();
  }

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }
}

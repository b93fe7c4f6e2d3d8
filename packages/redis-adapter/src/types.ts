/**
 * Public types of @breakwater/redis-adapter that other packages build on
 * (metrics subscribes to these events; the fail-open recipes call
 * executeRedisOperation). Change them only with care.
 */
import type { CircuitBreaker, CircuitBreakerStats, Unsubscribe } from '@breakwater/breaker';

/** Connection state of the adapter's client, derived from node-redis' isOpen/isReady and events. */
export type RedisConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed' | 'failed';

/**
 * Why an operation could not reach Redis. A closed set, safe as a metric label.
 * - `circuit-open`: the breaker short-circuited the call
 * - `timeout`: the call's deadline passed
 * - `not-ready`: the client was not connected after the reconnect grace
 * - `connection`: socket closed/reset/refused, client closed, offline
 * - `server`: LOADING, BUSY, MASTERDOWN, READONLY, CLUSTERDOWN, TRYAGAIN, OOM, MISCONF, NOREPLICAS…
 * - `auth`: WRONGPASS, NOAUTH, NOPERM on the handshake
 * - `tls`: certificate verification or TLS handshake failures
 * - `unknown`: any other error the classifier counts as unavailability
 */
export type RedisFailureKind =
  'circuit-open' | 'timeout' | 'not-ready' | 'connection' | 'server' | 'auth' | 'tls' | 'unknown';

/**
 * Why a call answered degraded (a closed set, safe as a metric label): a {@link RedisFailureKind}
 * (Redis could not be used: the fallback answered), or `corrupt` (Redis answered, but the
 * operation threw a `RedisCorruptValueError`: the stored value could not be used; the breaker
 * ignores it).
 */
export type RedisFallbackReason = RedisFailureKind | 'corrupt';

/** Outcome of one executeRedisOperation call. */
export type RedisOperationResult = 'success' | 'fallback' | 'error';

/**
 * Receives every executeRedisOperation outcome, once, when the call settles, without an event
 * object: what the metrics packages subscribe with (see `observeOperations`). `durationMs` is
 * measured with `performance.now()` on the system clock (the injected clock otherwise). It must
 * not throw (a throw is logged through `debug` and ignored) and should be cheap: it runs on
 * every call.
 */
export type RedisOperationObserver = (
  operation: string,
  result: RedisOperationResult,
  reason: RedisFallbackReason | undefined,
  durationMs: number,
) => void;

/** Options of `observeOperations`. */
export interface RedisObserveOptions {
  /**
   * Whether the observer wants `durationMs`. When no observer (and no 'operation' listener)
   * does, calls read no clock for it and `durationMs` is `NaN`.
   * @default true
   */
  durations?: boolean;
}

/** Events of a RedisAdapter. */
export interface RedisAdapterEvents {
  /** Every executeRedisOperation call, once, when it settles. */
  operation: {
    operation: string;
    result: RedisOperationResult;
    /** Set when result is 'fallback'. */
    reason?: RedisFallbackReason;
    durationMs: number;
  };
  /** The connection state changed. */
  connectionState: { from: RedisConnectionState; to: RedisConnectionState; at: number };
  /** A reconnect attempt is scheduled. */
  reconnecting: { attempt: number; delayMs: number; kind: RedisFailureKind };
  /** The reporter was called (after rate limiting). */
  report: RedisErrorReport;
}

/** What the error reporter receives. Never contains secrets. */
export interface RedisErrorReport {
  operation: string;
  /** `corrupt`: a `RedisCorruptValueError`; `data`: any other error the op rejected with. */
  kind: RedisFallbackReason | 'data';
  /** `[operation] Redis error: <kind>: <message>` */
  message: string;
  /** The redacted error. */
  error: unknown;
  /** Reports of this operation suppressed by rate limiting since the last one delivered. */
  suppressed: number;
}

/** Health of an adapter, read from memory (no network I/O). */
export interface RedisHealth {
  status: 'pass' | 'warn' | 'fail';
  connection: RedisConnectionState;
  breaker: CircuitBreakerStats;
  /** Redacted description of the last connection-level error, if any. */
  lastError: { kind: RedisFailureKind; message: string; at: number } | null;
}

/** Per-call options of executeRedisOperation. */
export interface RedisOperationOptions {
  /** Deadline for this call in milliseconds (overrides the adapter's `operationTimeout`). */
  timeout?: number;
  /** The caller's signal; an abort settles the call and counts as neutral. */
  signal?: AbortSignal;
}

/**
 * The fallback of executeRedisOperation: receives why Redis could not be used
 * (a closed set) and the underlying error (redacted).
 */
export type RedisFallback<F> = (kind: RedisFailureKind, error: unknown) => F | PromiseLike<F>;

/** The surface metrics and recipes rely on. `C` is the wrapped client type. */
export interface RedisAdapterLike<C = unknown> {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  readonly connectionState: RedisConnectionState;
  /**
   * Runs `op` against the client through the breaker, with a deadline. Settles with the
   * value, the fallback's value (Redis unavailable), or rejects with a data error
   * (WRONGTYPE, syntax…) unchanged. A `RedisCorruptValueError` thrown by `op` rejects unchanged
   * but is counted as result `fallback`, reason `corrupt` (reported with kind `corrupt`).
   */
  executeRedisOperation<T, F = T>(
    op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
    fallback: RedisFallback<F>,
    name: string,
    options?: RedisOperationOptions,
  ): Promise<T | F>;
  /** Connection and breaker state, read from memory. */
  health(): RedisHealth;
  on<E extends keyof RedisAdapterEvents>(
    event: E,
    listener: (payload: RedisAdapterEvents[E]) => void,
  ): Unsubscribe;
}

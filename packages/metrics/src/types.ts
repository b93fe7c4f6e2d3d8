/**
 * Structural views of the objects this package instruments. They are declared here, not
 * imported, so that @breakwater/metrics has no runtime (or published type) dependency on
 * @breakwater/breaker or @breakwater/redis-adapter: any object with this shape works, and the
 * real `CircuitBreaker` and `RedisAdapter` satisfy it (checked in the tests).
 */

/** State of a circuit, as reported by the breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Why a breaker short-circuited a call. */
export type BreakerRejectionReason = 'open' | 'half-open-full' | 'forced-open';

/** Connection state of a Redis adapter's client. */
export type RedisConnectionStateName =
  'connecting' | 'ready' | 'reconnecting' | 'closed' | 'failed';

/** Why a Redis operation fell back (a closed set). */
export type RedisFallbackReason =
  'circuit-open' | 'timeout' | 'not-ready' | 'connection' | 'server' | 'auth' | 'tls' | 'unknown';

/** Outcome of one Redis operation. */
export type RedisOperationResultName = 'success' | 'fallback' | 'error';

/** Removes a listener; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** The breaker events this package listens to (a subset of the breaker's payloads). */
export interface InstrumentableBreakerEvents {
  stateChange: { from: BreakerState; to: BreakerState };
  success: { durationMs: number };
  failure: { durationMs: number };
  timeout: { durationMs: number };
  rejected: { reason: BreakerRejectionReason };
  fallback: object;
}

/** The part of a circuit breaker that {@link instrumentBreaker} uses. */
export interface InstrumentableBreaker {
  /** Used as the `name` label value; must be non-empty and unique per registry. */
  readonly name: string;
  /** Read at scrape time. */
  readonly state: BreakerState;
  /** Read at scrape time, for `circuit_breaker_failure_ratio`. */
  getStats(): { failureRate: number };
  on<E extends keyof InstrumentableBreakerEvents>(
    event: E,
    listener: (payload: InstrumentableBreakerEvents[E]) => void,
  ): Unsubscribe;
}

/** The Redis adapter events this package listens to. */
export interface InstrumentableRedisAdapterEvents {
  operation: { operation: string; result: RedisOperationResultName; reason?: RedisFallbackReason };
  reconnecting: object;
}

/** The part of a Redis adapter that {@link instrumentRedisAdapter} uses. */
export interface InstrumentableRedisAdapter {
  /** Used as the `client` label value; must be non-empty and unique per registry. */
  readonly name: string;
  /** Instrumented as well, with the same options. */
  readonly breaker: InstrumentableBreaker;
  /** Read at scrape time. */
  readonly connectionState: RedisConnectionStateName;
  on<E extends keyof InstrumentableRedisAdapterEvents>(
    event: E,
    listener: (payload: InstrumentableRedisAdapterEvents[E]) => void,
  ): Unsubscribe;
}

/** Stops an instrumentation: removes its listeners and its series. Idempotent. */
export type DisposeInstrumentation = () => void;

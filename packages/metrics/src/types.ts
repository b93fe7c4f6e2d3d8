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

/**
 * Why a Redis operation fell back (a closed set). `corrupt`: Redis answered, but the stored value
 * could not be used (the operation threw a `RedisCorruptValueError`).
 */
export type RedisFallbackReason =
  | 'circuit-open'
  | 'timeout'
  | 'not-ready'
  | 'connection'
  | 'server'
  | 'auth'
  | 'tls'
  | 'corrupt'
  | 'unknown';

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
  /**
   * Counted outcomes without an event object (breakwater breakers have it): used instead of the
   * 'success', 'failure' and 'timeout' events when present.
   */
  observeCalls?(
    observer: (outcome: 'success' | 'failure' | 'timeout', durationMs: number) => void,
  ): Unsubscribe;
}

/** The Redis adapter events this package listens to. */
export interface InstrumentableRedisAdapterEvents {
  operation: {
    operation: string;
    result: RedisOperationResultName;
    reason?: RedisFallbackReason;
    durationMs?: number;
  };
  reconnecting: object;
}

/** Counts of one operation name as an adapter's counter reads them. */
export interface AdapterOperationCounts {
  readonly operation: string;
  readonly success: number;
  readonly error: number;
  readonly fallback: Readonly<Partial<Record<RedisFallbackReason, number>>>;
}

/** What `countOperations()` returns. */
export interface AdapterOperationCounter {
  read(): readonly AdapterOperationCounts[];
  close(): void;
  /** How many distinct operation names it counts one by one (further ones as `other`). */
  readonly capacity: number;
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
  /**
   * Per-call outcomes without an event object (breakwater adapters have it): used instead of
   * the 'operation' event when present.
   */
  observeOperations?(
    observer: (
      operation: string,
      result: RedisOperationResultName,
      reason: RedisFallbackReason | undefined,
      durationMs: number,
    ) => void,
    options?: { durations?: boolean },
  ): Unsubscribe;
  /**
   * Outcome counts kept by the adapter in plain integers (breakwater adapters have it): read at
   * collection time, used instead of an observer when no durations are wanted.
   */
  countOperations?(): AdapterOperationCounter;
}

/** The part of a bulkhead that {@link instrumentBulkhead} uses. */
export interface InstrumentableBulkhead {
  /** Used as the `name` label value; must be non-empty and unique per registry. */
  readonly name: string;
  /** Read at scrape time. */
  readonly running: number;
  /** Read at scrape time. */
  readonly queued: number;
  readonly maxConcurrent: number;
  on(event: 'rejected', listener: (payload: { reason: string }) => void): Unsubscribe;
}

/** The part of a retry budget that {@link instrumentRetryBudget} uses (read at scrape time). */
export interface InstrumentableRetryBudget {
  /** Used as the `name` label value; must be non-empty and unique per registry. */
  readonly name: string;
  getStats(): {
    requests: number;
    retriesAllowed: number;
    retriesRefused: number;
    available: number;
  };
}

/** The breaker registry events this package listens to. */
export interface InstrumentableBreakerRegistryEvents {
  created: { key: string; breaker: InstrumentableBreaker };
  evicted: { key: string; breaker: InstrumentableBreaker; reason: string };
}

/** The part of a breaker registry that {@link instrumentBreakerRegistry} uses. */
export interface InstrumentableBreakerRegistry {
  /** Used as the `name` label value; must be non-empty and unique per registry. */
  readonly name: string;
  /** Read at scrape time (live breakers, for the by-state gauge). */
  entries(): IterableIterator<[string, InstrumentableBreaker]>;
  /** Read at scrape time. */
  getStats(): { remembered: number };
  on<E extends keyof InstrumentableBreakerRegistryEvents>(
    event: E,
    listener: (payload: InstrumentableBreakerRegistryEvents[E]) => void,
  ): Unsubscribe;
}

/** Stops an instrumentation: removes its listeners and its series. Idempotent. */
export type DisposeInstrumentation = () => void;

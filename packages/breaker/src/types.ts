/**
 * Public types of @breakwater/breaker. Other packages (redis-adapter, metrics)
 * are written against these shapes: change them only with care.
 */
import type { Backoff } from './backoff.js';

/** The three states of a circuit. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A source of time in milliseconds. `now()` must never go backwards; the
 * breaker uses it for its window, its open period and its trial deadlines.
 * Timers are only armed while a call with a deadline is in flight.
 */
export interface Clock {
  /** Current time in milliseconds (epoch-based for the default clock). */
  now(): number;
  /** Schedules `fn` after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer returned by {@link Clock.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/** Options of {@link CircuitBreaker}. Every field is optional; see `DEFAULT_CIRCUIT_BREAKER_OPTIONS`. */
export interface CircuitBreakerOptions {
  /**
   * Minimum number of failures inside the monitoring window before the circuit may open.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * Minimum ratio (0..1) of failures to calls inside the window before the circuit may open.
   * Both this and {@link CircuitBreakerOptions.failureThreshold} must hold.
   * @default 0.5
   */
  failureRateThreshold?: number;
  /**
   * Length of the sliding window, in milliseconds.
   * @default 60000
   */
  monitoringWindow?: number;
  /**
   * Number of buckets the window is divided into (its granularity), an integer in [1, 1000].
   * @default 10
   */
  windowBuckets?: number;
  /**
   * How long the circuit stays open before a trial call is admitted, in milliseconds,
   * or a {@link Backoff} that lengthens the open period after each failed trial.
   * @default 30000
   */
  resetTimeout?: number | Backoff;
  /**
   * Maximum number of concurrent trial calls while half-open.
   * @default 1
   */
  halfOpenMaxAttempts?: number;
  /**
   * Longest a trial call may keep the circuit half-open, in milliseconds. A trial that has
   * not settled by then counts as a failed trial and the circuit re-opens.
   * @default the call timeout if set, otherwise 10000
   */
  halfOpenTimeout?: number;
  /**
   * Per-call timeout in milliseconds, or `false` for none. A call over time counts as a
   * failure, its AbortSignal is aborted, and it settles with the fallback or a TimeoutError.
   * @default false
   */
  timeout?: number | false;
  /**
   * Calls slower than this (milliseconds) count as slow; `false` disables the slow-call rule.
   * @default false
   */
  slowCallDuration?: number | false;
  /**
   * Ratio (0..1) of slow calls inside the window that opens the circuit (with at least
   * `failureThreshold` calls in the window).
   * @default 1
   */
  slowCallRateThreshold?: number;
  /**
   * Decides whether an error counts against the circuit. Errors it rejects are rethrown
   * unchanged, skip the fallback and count as neither success nor failure.
   * @default every error counts
   */
  isFailure?: (error: unknown) => boolean;
  /** Time source. @default the system clock */
  clock?: Clock;
  /** State to start from, as produced by {@link CircuitBreaker.toJSON}. */
  initialState?: CircuitBreakerSnapshot;
}

/** Per-call options of `execute`. */
export interface ExecuteOptions {
  /** The caller's signal. An abort by the caller settles the call and counts as neutral. */
  signal?: AbortSignal;
  /** Overrides the breaker's `timeout` for this call, in milliseconds (`false`: none). */
  timeout?: number | false;
}

/** What `getStats()` returns. Times are in the clock's milliseconds; `null` when not applicable. */
export interface CircuitBreakerStats {
  name: string;
  state: CircuitState;
  /** Failures (including timeouts) inside the current window. */
  failureCount: number;
  /** Successes inside the current window. */
  successCount: number;
  /** Slow calls inside the current window. */
  slowCallCount: number;
  /** failureCount / (failureCount + successCount), or 0 with no calls. */
  failureRate: number;
  lastFailureTime: number | null;
  lastStateChange: number;
  /** When the next trial is allowed (only while open). */
  nextRetryTime: number | null;
  /** Trial calls in flight (half-open only). */
  halfOpenInFlight: number;
  /** Set by forceOpen() / forceClosed(), cleared by reset(). */
  forced: 'open' | 'closed' | null;
}

/** Serializable state for short-lived processes; restore with `initialState`. */
export interface CircuitBreakerSnapshot {
  version: 1;
  state: CircuitState;
  /** Milliseconds left in the open period when the snapshot was taken (open only). */
  openRemainingMs: number | null;
  /** Consecutive failed trials (drives a backoff `resetTimeout`). */
  openAttempt: number;
  forced: 'open' | 'closed' | null;
}

/**
 * Why a state changed. `restore` is never emitted (an `initialState` is installed during
 * construction, before anyone can subscribe); it stays in the union for compatibility.
 */
export type StateChangeReason =
  | 'failure-threshold'
  | 'slow-call-threshold'
  | 'reset-timeout'
  | 'trial-success'
  | 'trial-failure'
  | 'trial-timeout'
  | 'force-open'
  | 'force-closed'
  | 'reset'
  | 'restore';

/** Why a call was short-circuited. */
export type RejectionReason = 'open' | 'half-open-full' | 'forced-open';

/** The typed events of a breaker; the metrics package is built on these. */
export interface CircuitBreakerEvents {
  stateChange: {
    name: string;
    from: CircuitState;
    to: CircuitState;
    reason: StateChangeReason;
    at: number;
  };
  success: { name: string; durationMs: number };
  failure: { name: string; durationMs: number; error: unknown };
  timeout: { name: string; durationMs: number; error: unknown };
  rejected: { name: string; reason: RejectionReason };
  fallback: { name: string; reason: unknown };
  ignored: { name: string; durationMs: number; error: unknown };
}

/** Removes the listener it was returned for. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * Told the outcome of every call the breaker counts, when it is known, with no event object
 * (`CircuitBreaker.observeCalls`): `durationMs` from the call's start to its outcome (0 for a
 * call without a time limit that started while nothing needed its start time, i.e. before the
 * observer was added). Must be cheap and should not throw (a throw is logged through `debug`
 * and ignored).
 */
export type BreakerCallObserver = (
  outcome: 'success' | 'failure' | 'timeout',
  durationMs: number,
) => void;

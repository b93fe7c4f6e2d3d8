/**
 * Every error class of @breakwater/breaker. Each one has a `name`, supports `cause`, carries a
 * brand (a `Symbol.for` key, so guards work across duplicate copies of the package) and has an
 * `isXxxError(e: unknown)` type guard.
 */
import type { CircuitState, RejectionReason } from './types.js';

const BROKEN_CIRCUIT_BRAND = Symbol.for('breakwater.BrokenCircuitError');
const TIMEOUT_BRAND = Symbol.for('breakwater.TimeoutError');
const BULKHEAD_REJECTED_BRAND = Symbol.for('breakwater.BulkheadRejectedError');

// Non-enumerable, so it does not show up in logs or JSON.
const brand = (target: object, key: symbol): void => {
  Object.defineProperty(target, key, { value: true, enumerable: false });
};

/** Details of a {@link BrokenCircuitError}. */
export interface BrokenCircuitErrorDetails {
  /** Name of the breaker that rejected the call. */
  breakerName: string;
  /** State of the breaker when the error was created (`open` or `half-open`). */
  state: CircuitState;
  /** Why the call was short-circuited. */
  reason: RejectionReason;
  /** Milliseconds until the next trial is allowed, as of `nextRetryTime`'s computation; `null` if unknown (forced open, half-open). */
  retryAfter: number | null;
  /** Clock time (ms) from which the next trial is allowed; `null` if unknown. */
  nextRetryTime: number | null;
  /** Optional underlying cause. */
  cause?: unknown;
}

/**
 * Thrown (or passed to the fallback) when a call is short-circuited: the breaker is open,
 * forced open, or half-open with every trial slot taken.
 *
 * While the breaker is open and a fallback is given, the SAME instance (created at the
 * transition) is passed to every fallback of that open period, so the short-circuit path
 * allocates nothing. Without a fallback each rejected call gets a fresh instance whose
 * `retryAfter` is exact.
 */
export class BrokenCircuitError extends Error {
  override readonly name = 'BrokenCircuitError';
  readonly breakerName: string;
  readonly state: CircuitState;
  readonly reason: RejectionReason;
  readonly retryAfter: number | null;
  readonly nextRetryTime: number | null;

  constructor(details: BrokenCircuitErrorDetails) {
    super(
      BrokenCircuitError.describe(details),
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.breakerName = details.breakerName;
    this.state = details.state;
    this.reason = details.reason;
    this.retryAfter = details.retryAfter;
    this.nextRetryTime = details.nextRetryTime;
    brand(this, BROKEN_CIRCUIT_BRAND);
  }

  private static describe(d: BrokenCircuitErrorDetails): string {
    const base = `Circuit breaker "${d.breakerName}" is ${d.state}`;
    if (d.reason === 'forced-open') return `${base} (forced open until reset)`;
    if (d.reason === 'half-open-full') return `${base} (all trial slots are taken)`;
    return d.retryAfter === null ? base : `${base}; next attempt allowed in ${d.retryAfter} ms`;
  }
}

/** A call (or a half-open trial) ran longer than its time limit. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message?: string, options?: { cause?: unknown }) {
    super(message ?? `Operation timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
    brand(this, TIMEOUT_BRAND);
  }
}

/** Why a bulkhead turned a call away. */
export type BulkheadRejectionReason = 'full' | 'queue-timeout';

/**
 * A bulkhead turned the call away: every slot and every queue place was taken (`full`), or the
 * call waited `queueTimeout` ms in the queue without getting a slot (`queue-timeout`). It says
 * nothing about the dependency, so a circuit breaker never counts it as a failure.
 */
export class BulkheadRejectedError extends Error {
  override readonly name = 'BulkheadRejectedError';
  /** Name of the bulkhead. */
  readonly bulkheadName: string;
  /** `full` or `queue-timeout`. */
  readonly reason: BulkheadRejectionReason;
  /** `maxConcurrent` of the bulkhead. */
  readonly maxConcurrent: number;
  /** `maxQueued` of the bulkhead. */
  readonly maxQueued: number;

  constructor(
    bulkheadName: string,
    reason: BulkheadRejectionReason,
    maxConcurrent: number,
    maxQueued: number,
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'full'
        ? `Bulkhead "${bulkheadName}" is full (${maxConcurrent} running, ${maxQueued} queued)`
        : `Bulkhead "${bulkheadName}": no slot became free within the queue timeout`,
      options,
    );
    this.bulkheadName = bulkheadName;
    this.reason = reason;
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
    brand(this, BULKHEAD_REJECTED_BRAND);
  }
}

const hasBrand = (e: unknown, brand: symbol): boolean =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;

/** True if `e` is a {@link BrokenCircuitError} (from any copy of this package). */
export function isBrokenCircuitError(e: unknown): e is BrokenCircuitError {
  return hasBrand(e, BROKEN_CIRCUIT_BRAND);
}

/** True if `e` is a {@link TimeoutError} (from any copy of this package). */
export function isTimeoutError(e: unknown): e is TimeoutError {
  return hasBrand(e, TIMEOUT_BRAND);
}

/** True if `e` is a {@link BulkheadRejectedError} (from any copy of this package). */
export function isBulkheadRejectedError(e: unknown): e is BulkheadRejectedError {
  return hasBrand(e, BULKHEAD_REJECTED_BRAND);
}

/** Public API of @breakwater/breaker. */
export { CircuitBreaker } from './circuit-breaker.js';
export type { BreakerCall, Fallback, Operation } from './circuit-breaker.js';
export {
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  DEFAULT_HALF_OPEN_TIMEOUT,
  MAX_WINDOW_BUCKETS,
  resolveCircuitBreakerOptions,
} from './options.js';
export type { ResolvedCircuitBreakerOptions } from './options.js';
export {
  BrokenCircuitError,
  BulkheadRejectedError,
  TimeoutError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTimeoutError,
} from './errors.js';
export type { BrokenCircuitErrorDetails, BulkheadRejectionReason } from './errors.js';
export { Bulkhead } from './bulkhead.js';
export type { BulkheadEvents, BulkheadExecuteOptions } from './bulkhead.js';
export { DEFAULT_BULKHEAD_OPTIONS, resolveBulkheadOptions } from './bulkhead-options.js';
export { BreakerRegistry } from './breaker-registry.js';
export type {
  BreakerEvictionReason,
  BreakerFactory,
  BreakerRegistryEvents,
} from './breaker-registry.js';
export { DEFAULT_BREAKER_REGISTRY_OPTIONS } from './breaker-registry-options.js';
export type { BreakerRegistryOptions } from './breaker-registry-options.js';
export { policy } from './policy.js';
export type { Policy, PolicyOptions } from './policy.js';
export type { BulkheadOptions, ResolvedBulkheadOptions } from './bulkhead-options.js';
export { systemClock } from './clock.js';
export { BREAKER_CHANNELS } from './diagnostics.js';
export type {
  BreakerCallMessage,
  BreakerCallOutcome,
  BreakerStateChangeMessage,
} from './diagnostics.js';
export { createFakeClock } from './testing/fake-clock.js';
export type { FakeClock } from './testing/fake-clock.js';
export {
  constantBackoff,
  exponentialBackoff,
  DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS,
  MAX_TIMER_DELAY,
} from './backoff.js';
export type { Backoff, ExponentialBackoffOptions, Jitter } from './backoff.js';
export { retry, defaultShouldRetry, DEFAULT_RETRY_OPTIONS } from './retry.js';
export { RetryBudget, DEFAULT_RETRY_BUDGET_OPTIONS, MAX_RETRY_RATIO } from './retry-budget.js';
export type { RetryBudgetEvents, RetryBudgetOptions, RetryBudgetStats } from './retry-budget.js';
export type { RetryInfo, RetryOptions, RetryTimers } from './retry.js';
export type {
  CircuitBreakerEvents,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitState,
  Clock,
  ExecuteOptions,
  RejectionReason,
  StateChangeReason,
  BreakerCallObserver,
  Unsubscribe,
} from './types.js';
export { holdProcess, whileHeld } from './hold-process.js';
export type { ReleaseHold } from './hold-process.js';
export { Emitter } from './emitter.js';
export { ObserverSet } from './observer-set.js';
export { isThenable } from './call-support.js';
export { invokeUserCallback, containRejection, describeThrown } from './invoke-user-callback.js';

/** Public API of @breakwater/metrics. */
export { instrumentBreaker } from './instrument-breaker.js';
export { instrumentRedisAdapter } from './instrument-redis-adapter.js';
export { instrumentBulkhead } from './instrument-bulkhead.js';
export { instrumentRetryBudget } from './instrument-retry-budget.js';
export { instrumentBreakerRegistry } from './instrument-breaker-registry.js';
export { metricsHandler, scrapeMetrics } from './metrics-handler.js';
export type { MetricsResponse } from './metrics-handler.js';
export { DEFAULT_METRICS_OPTIONS } from './options.js';
export type {
  InstrumentBreakerOptions,
  InstrumentBreakerRegistryOptions,
  InstrumentRedisAdapterOptions,
} from './options.js';
export type { InstrumentKind } from './errors.js';
export {
  DuplicateInstrumentNameError,
  MetricConflictError,
  isDuplicateInstrumentNameError,
  isMetricConflictError,
} from './errors.js';
export {
  BREAKER_METRICS,
  BREAKER_REGISTRY_METRICS,
  BULKHEAD_METRICS,
  REDIS_METRICS,
  RETRY_BUDGET_METRICS,
  OTHER_OPERATION,
} from './metric-names.js';
export type { MetricSpec } from './metric-names.js';
export type {
  BreakerRejectionReason,
  BreakerState,
  DisposeInstrumentation,
  InstrumentableBreaker,
  InstrumentableBreakerEvents,
  InstrumentableBreakerRegistry,
  InstrumentableBreakerRegistryEvents,
  InstrumentableBulkhead,
  InstrumentableRetryBudget,
  AdapterOperationCounter,
  AdapterOperationCounts,
  InstrumentableRedisAdapter,
  InstrumentableRedisAdapterEvents,
  RedisConnectionStateName,
  RedisFallbackReason,
  RedisOperationResultName,
  Unsubscribe,
} from './types.js';

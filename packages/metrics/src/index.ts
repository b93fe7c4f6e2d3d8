/** Public API of @breakwater/metrics. */
export { instrumentBreaker } from './instrument-breaker.js';
export { instrumentRedisAdapter } from './instrument-redis-adapter.js';
export { metricsHandler, scrapeMetrics } from './metrics-handler.js';
export type { MetricsResponse } from './metrics-handler.js';
export { DEFAULT_METRICS_OPTIONS } from './options.js';
export type { InstrumentBreakerOptions, InstrumentRedisAdapterOptions } from './options.js';
export {
  DuplicateInstrumentNameError,
  MetricConflictError,
  isDuplicateInstrumentNameError,
  isMetricConflictError,
} from './errors.js';
export { BREAKER_METRICS, REDIS_METRICS, OTHER_OPERATION } from './metric-names.js';
export type { MetricSpec } from './metric-names.js';
export type {
  BreakerRejectionReason,
  BreakerState,
  DisposeInstrumentation,
  InstrumentableBreaker,
  InstrumentableBreakerEvents,
  InstrumentableRedisAdapter,
  InstrumentableRedisAdapterEvents,
  RedisConnectionStateName,
  RedisFallbackReason,
  RedisOperationResultName,
  Unsubscribe,
} from './types.js';

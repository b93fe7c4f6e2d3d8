/**
 * Public API of @breakwater/metrics/otel: the breaker and Redis adapter metrics over
 * `@opentelemetry/api` (an optional peer dependency; no SDK is imported).
 */
export { instrumentBreaker, OTEL_CALL_OUTCOMES } from './otel-breaker.js';
export { instrumentBreakerRegistry } from './otel-breaker-registry.js';
export { instrumentRedisAdapter, OTEL_DATA_ERROR_TYPE } from './otel-redis-adapter.js';
export { instrumentBulkhead, instrumentRetryBudget } from './otel-resilience.js';
export {
  OTEL_ATTRIBUTES,
  OTEL_BREAKER_INSTRUMENTS,
  OTEL_BREAKER_REGISTRY_INSTRUMENTS,
  OTEL_BULKHEAD_INSTRUMENTS,
  OTEL_REDIS_INSTRUMENTS,
  OTEL_RESILIENCE_ATTRIBUTES,
  OTEL_RETRY_BUDGET_INSTRUMENTS,
} from './otel-names.js';
export type { OtelInstrumentSpec } from './otel-names.js';
export { OTEL_METER_NAME } from './otel-options.js';
export type {
  OtelInstrumentBreakerOptions,
  OtelInstrumentBreakerRegistryOptions,
  OtelInstrumentRedisAdapterOptions,
} from './otel-options.js';
export type {
  DisposeInstrumentation,
  InstrumentableBreaker,
  InstrumentableBreakerRegistry,
  InstrumentableBulkhead,
  InstrumentableRedisAdapter,
  InstrumentableRetryBudget,
} from '../types.js';

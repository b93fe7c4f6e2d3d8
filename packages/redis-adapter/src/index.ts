/** Public API of @breakwater/redis-adapter. */
export { createRedisAdapter, wrapRedisClient } from './create-redis-adapter.js';
export type { NodeRedisClient, WrapRedisClientOptions } from './create-redis-adapter.js';
export { RedisAdapter } from './redis-adapter.js';
export { CONNECTION_OPERATION } from './adapter-core.js';
export {
  DEFAULT_REDIS_ADAPTER_OPTIONS,
  defaultReconnectBackoff,
  defaultRedisBreakerOptions,
} from './options.js';
export type { RedisAdapterOptions, RedisBreakerOptions, RedisTlsOptions } from './options.js';
export {
  createRedisAdapterFromEnv,
  redisAdapterOptionsFromEnv,
  REDIS_ENV_VARIABLES,
} from './env.js';
export type { RedisEnv } from './env.js';
export {
  initializeRedis,
  getRedisClient,
  getRedisAdapter,
  executeRedisOperation,
  getRedisCircuitBreakerStats,
  closeRedis,
} from './module-api.js';
export { executeWithContext, isRedisAvailabilityFailure } from './execute-redis-operation.js';
export {
  retryRedisOperation,
  DEFAULT_RETRY_REDIS_OPERATION_OPTIONS,
} from './retry-redis-operation.js';
export type { RetryRedisOperationOptions } from './retry-redis-operation.js';
export { REDIS_CHANNELS } from './diagnostics.js';
export type {
  RedisConnectionMessage,
  RedisOperationTraceContext,
  RedisReconnectingMessage,
} from './diagnostics.js';
export type { OperationConnection, OperationContext } from './execute-redis-operation.js';
export type { NodeRedisClientLike } from './connection.js';
export { breaksReplyStream, classifyRedisError } from './classify-error.js';
export type { RedisErrorClass } from './classify-error.js';
export { debugRedisErrorReporter, formatRedisErrorMessage } from './reporter.js';
export type { RedisErrorReporter } from './reporter.js';
export { redactUrl, redactSecrets, redactError, REDACTED, UNPARSEABLE_URL } from './redact.js';
export { redisHealthStatus, redisHealthResponse, livenessResponse } from './health.js';
export type {
  HealthStatus,
  HealthSource,
  RedisHealthCheck,
  HealthCheckEntry,
  HealthReport,
  HealthHttpResponse,
  HealthResponseOptions,
} from './health.js';
export {
  RedisAuthenticationError,
  RedisTlsError,
  RedisProtocolError,
  RedisConnectTimeoutError,
  RedisUnavailableError,
  RedisNotReadyError,
  RedisConfigError,
  RedisCorruptedReplyError,
  RedisCorruptValueError,
  isRedisAuthenticationError,
  isRedisTlsError,
  isRedisProtocolError,
  isRedisConnectTimeoutError,
  isRedisUnavailableError,
  isRedisNotReadyError,
  isRedisConfigError,
  isRedisCorruptedReplyError,
  isRedisCorruptValueError,
  isPermanentRedisError,
} from './errors.js';
export type {
  RedisAdapterEvents,
  RedisAdapterLike,
  RedisConnectionState,
  RedisErrorReport,
  RedisFailureKind,
  RedisFallback,
  RedisFallbackReason,
  RedisHealth,
  RedisOperationOptions,
  RedisObserveOptions,
  RedisOperationObserver,
  RedisOperationResult,
} from './types.js';
export type { RedisOperationCounter, RedisOperationCounts } from './operation-counts.js';
export * from './cluster/index.js';
// The one emitter and user-callback guard of every package (recipes, integrations use them).
export { Emitter, invokeUserCallback } from '@breakwater/breaker';

/** Public API of @breakwater/redis-adapter. */
export { createRedisAdapter, wrapRedisClient, buildClientOptions } from './create-redis-adapter.js';
export type { NodeRedisClient, WrapRedisClientOptions } from './create-redis-adapter.js';
export { RedisAdapter, CONNECTION_OPERATION } from './redis-adapter.js';
export {
  DEFAULT_REDIS_ADAPTER_OPTIONS,
  defaultReconnectBackoff,
  defaultRedisBreakerOptions,
  resolveRedisAdapterOptions,
} from './options.js';
export type {
  RedisAdapterOptions,
  RedisBreakerOptions,
  RedisTlsOptions,
  ResolvedRedisAdapterOptions,
} from './options.js';
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
export type { OperationConnection, OperationContext } from './execute-redis-operation.js';
export { RedisConnection } from './connection.js';
export type { NodeRedisClientLike, RedisConnectionOptions } from './connection.js';
export {
  classifyRedisError,
  classifyConnectionError,
  classifyReplyMessage,
} from './classify-error.js';
export type { RedisErrorClass } from './classify-error.js';
export {
  createReconnectStrategy,
  isReconnectHandoff,
  permanentConnectionError,
  ReconnectPlanner,
} from './reconnect-strategy.js';
export { ErrorReportGate, debugRedisErrorReporter, formatRedisErrorMessage } from './reporter.js';
export type { RedisErrorReporter, ErrorReportGateOptions } from './reporter.js';
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
  isRedisAuthenticationError,
  isRedisTlsError,
  isRedisProtocolError,
  isRedisConnectTimeoutError,
  isRedisUnavailableError,
  isRedisNotReadyError,
  isRedisConfigError,
  isPermanentRedisError,
} from './errors.js';
export type {
  RedisAdapterEvents,
  RedisAdapterLike,
  RedisConnectionState,
  RedisErrorReport,
  RedisFailureKind,
  RedisFallback,
  RedisHealth,
  RedisOperationOptions,
  RedisOperationResult,
} from './types.js';
export * from './recipes/index.js';
export * from './cluster/index.js';

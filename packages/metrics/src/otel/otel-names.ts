/**
 * Instrument names, units, descriptions and attribute keys of the OpenTelemetry instrumentation.
 * Redis operations and the connection use the database-client semantic conventions
 * (`db.client.operation.duration`, `db.client.connection.count`, `db.system.name`,
 * `db.operation.name`, `error.type`); everything without a convention lives under
 * `breakwater.*`. An OTel Collector's Prometheus exporter turns dots into underscores and adds
 * `_total` to counters and the unit (`_seconds`) to histograms: `breakwater.breaker.calls` is
 * scraped as `breakwater_breaker_calls_total`.
 */
import type { Attributes } from '@opentelemetry/api';

/** One attribute set per key, built once (the hot path only looks them up). */
export function attributesPer<K extends string>(
  keys: readonly K[],
  make: (key: K) => Attributes,
): Record<K, Attributes> {
  const out = {} as Record<K, Attributes>;
  for (const key of keys) out[key] = make(key);
  return out;
}

/** One instrument. */
export interface OtelInstrumentSpec {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

const spec = (name: string, unit: string, description: string): OtelInstrumentSpec => ({
  name,
  unit,
  description,
});

/** Attribute keys. */
export const OTEL_ATTRIBUTES = Object.freeze({
  breakerName: 'breakwater.breaker.name',
  breakerState: 'breakwater.breaker.state',
  callOutcome: 'breakwater.breaker.call.outcome',
  rejectionReason: 'breakwater.breaker.rejection.reason',
  stateFrom: 'breakwater.breaker.state.from',
  stateTo: 'breakwater.breaker.state.to',
  dbSystem: 'db.system.name',
  dbOperation: 'db.operation.name',
  errorType: 'error.type',
  poolName: 'db.client.connection.pool.name',
  connectionState: 'db.client.connection.state',
  redisClient: 'breakwater.redis.client',
  redisResult: 'breakwater.redis.result',
  redisConnectionState: 'breakwater.redis.connection.state',
} as const);

/** The breaker instruments. */
export const OTEL_BREAKER_INSTRUMENTS = Object.freeze({
  state: spec(
    'breakwater.breaker.state',
    '{state}',
    'One-hot circuit breaker state: 1 for the current state (breakwater.breaker.state), 0 for the others.',
  ),
  failureRatio: spec(
    'breakwater.breaker.failure_ratio',
    '1',
    'Failures / calls (0-1) in the breaker sliding window.',
  ),
  calls: spec(
    'breakwater.breaker.calls',
    '{call}',
    'Calls through the breaker by outcome: success, failure, timeout, rejected, ignored.',
  ),
  fallbacks: spec('breakwater.breaker.fallbacks', '{call}', 'Calls answered by the fallback.'),
  transitions: spec(
    'breakwater.breaker.state_transitions',
    '{transition}',
    'Circuit breaker state transitions, by from and to state.',
  ),
  callDuration: spec(
    'breakwater.breaker.call.duration',
    's',
    'Duration of calls executed through the breaker, by outcome.',
  ),
});

/** The Redis adapter instruments. */
export const OTEL_REDIS_INSTRUMENTS = Object.freeze({
  operationDuration: spec(
    'db.client.operation.duration',
    's',
    'Duration of executeRedisOperation calls, fallbacks included (semantic convention).',
  ),
  operations: spec(
    'breakwater.redis.operations',
    '{operation}',
    'executeRedisOperation calls by operation name and result (success, fallback, error).',
  ),
  connectionCount: spec(
    'db.client.connection.count',
    '{connection}',
    'Open Redis connections of the adapter in use (semantic convention): 1 while ready, else 0.',
  ),
  connectionState: spec(
    'breakwater.redis.connection.state',
    '{state}',
    'One-hot Redis connection state: 1 for the current state, 0 for the others.',
  ),
  reconnects: spec(
    'breakwater.redis.reconnects',
    '{attempt}',
    'Reconnect attempts scheduled by the adapter.',
  ),
});

/** Attribute keys of the bulkhead and retry budget instruments. */
export const OTEL_RESILIENCE_ATTRIBUTES = Object.freeze({
  bulkheadName: 'breakwater.bulkhead.name',
  registryName: 'breakwater.breaker_registry.name',
  evictionReason: 'breakwater.breaker_registry.eviction.reason',
  bulkheadRejectionReason: 'breakwater.bulkhead.rejection.reason',
  retryBudgetName: 'breakwater.retry_budget.name',
  retryResult: 'breakwater.retry_budget.result',
} as const);

/** The bulkhead instruments. */
export const OTEL_BULKHEAD_INSTRUMENTS = Object.freeze({
  inFlight: spec('breakwater.bulkhead.in_flight', '{call}', 'Calls running in the bulkhead now.'),
  queued: spec('breakwater.bulkhead.queued', '{call}', 'Calls waiting in the bulkhead queue now.'),
  maxConcurrent: spec(
    'breakwater.bulkhead.max_concurrent',
    '{call}',
    'Most calls the bulkhead runs at once (its capacity).',
  ),
  rejected: spec(
    'breakwater.bulkhead.rejected',
    '{call}',
    'Calls the bulkhead turned away, by reason (full, queue-timeout).',
  ),
});

/** The retry budget instruments. */
export const OTEL_RETRY_BUDGET_INSTRUMENTS = Object.freeze({
  requests: spec(
    'breakwater.retry_budget.requests',
    '{request}',
    'Requests (first executions) recorded in the retry budget.',
  ),
  retries: spec(
    'breakwater.retry_budget.retries',
    '{retry}',
    'Retries asked of the retry budget, by result (allowed, refused).',
  ),
  available: spec(
    'breakwater.retry_budget.available',
    '{retry}',
    'Whole retries the retry budget would allow now.',
  ),
});

/** The breaker registry instruments (its first `maxKeys` breakers also get the breaker ones). */
export const OTEL_BREAKER_REGISTRY_INSTRUMENTS = Object.freeze({
  breakers: spec(
    'breakwater.breaker_registry.breakers',
    '{breaker}',
    'Live breakers in the registry, by state (breakwater.breaker.state).',
  ),
  remembered: spec(
    'breakwater.breaker_registry.remembered',
    '{breaker}',
    'Evicted breakers that were not closed and whose snapshot is kept.',
  ),
  evictions: spec(
    'breakwater.breaker_registry.evictions',
    '{breaker}',
    'Breakers removed from the registry, by reason (lru, idle, deleted).',
  ),
});

/**
 * Names, help texts, label names and the closed label-value sets of every metric. Names are
 * given without the optional prefix; counters end in `_total` (prom-client strips and re-adds
 * it in OpenMetrics output, so both formats are valid).
 */
import type {
  BreakerRejectionReason,
  BreakerState,
  RedisConnectionStateName,
  RedisFallbackReason,
  RedisOperationResultName,
} from './types.js';

/** Every breaker state, in the order of the numeric `circuit_breaker_state` gauge (0, 1, 2). */
export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half-open', 'open'];

/** Transitions the breaker can make; their counters are pre-created at 0. */
export const BREAKER_TRANSITIONS: readonly (readonly [BreakerState, BreakerState])[] = [
  ['closed', 'open'],
  ['open', 'half-open'],
  ['open', 'closed'],
  ['half-open', 'closed'],
  ['half-open', 'open'],
];

/** Every rejection reason; pre-created at 0. */
export const REJECTION_REASONS: readonly BreakerRejectionReason[] = [
  'open',
  'half-open-full',
  'forced-open',
];

/** Outcomes recorded by the call-duration histogram. */
export const CALL_OUTCOMES = ['success', 'failure', 'timeout'] as const;
/** An outcome of `circuit_breaker_call_duration_seconds`. */
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Every connection state; the one-hot gauge always exports all of them. */
export const CONNECTION_STATES: readonly RedisConnectionStateName[] = [
  'connecting',
  'ready',
  'reconnecting',
  'closed',
  'failed',
];

/** Every operation result; pre-created at 0 for each operation seen. */
export const OPERATION_RESULTS: readonly RedisOperationResultName[] = [
  'success',
  'fallback',
  'error',
];

/** Every fallback reason; pre-created at 0 for each operation seen. */
export const FALLBACK_REASONS: readonly RedisFallbackReason[] = [
  'circuit-open',
  'timeout',
  'not-ready',
  'connection',
  'server',
  'auth',
  'tls',
  'corrupt',
  'unknown',
];

/** Label value that absorbs operation names past `maxOperations`. */
export const OTHER_OPERATION = 'other';

/** Type, help and label names of one metric. */
export interface MetricSpec {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
}

const spec = (
  name: string,
  type: MetricSpec['type'],
  labelNames: readonly string[],
  help: string,
): MetricSpec => ({ name, type, labelNames, help });

/** The breaker metrics. */
export const BREAKER_METRICS = {
  state: spec(
    'circuit_breaker_state',
    'gauge',
    ['name'],
    'Current state of the circuit breaker: 0 closed, 1 half-open, 2 open.',
  ),
  inState: spec(
    'circuit_breaker_in_state',
    'gauge',
    ['name', 'state'],
    'One-hot circuit breaker state: 1 for the current state, 0 for the others.',
  ),
  failureRatio: spec(
    'circuit_breaker_failure_ratio',
    'gauge',
    ['name'],
    'Failures / calls (0-1) in the breaker sliding window.',
  ),
  successes: spec(
    'circuit_breaker_successes_total',
    'counter',
    ['name'],
    'Calls that succeeded through the breaker.',
  ),
  failures: spec(
    'circuit_breaker_failures_total',
    'counter',
    ['name'],
    'Calls that counted as failures against the breaker, timeouts included.',
  ),
  timeouts: spec(
    'circuit_breaker_timeouts_total',
    'counter',
    ['name'],
    'Calls that exceeded their deadline (also counted in circuit_breaker_failures_total).',
  ),
  rejected: spec(
    'circuit_breaker_rejected_total',
    'counter',
    ['name', 'reason'],
    'Calls short-circuited by the breaker without running, by reason.',
  ),
  fallbacks: spec(
    'circuit_breaker_fallbacks_total',
    'counter',
    ['name'],
    'Calls answered by the fallback.',
  ),
  transitions: spec(
    'circuit_breaker_state_transitions_total',
    'counter',
    ['name', 'from', 'to'],
    'Circuit breaker state transitions.',
  ),
  callDuration: spec(
    'circuit_breaker_call_duration_seconds',
    'histogram',
    ['name', 'outcome'],
    'Duration of calls executed through the breaker, in seconds, by outcome.',
  ),
} as const;

/** The Redis adapter metrics. */
export const REDIS_METRICS = {
  operations: spec(
    'redis_operations_total',
    'counter',
    ['client', 'operation', 'result'],
    'Redis operations by declared operation name and result (success, fallback, error).',
  ),
  fallbacks: spec(
    'redis_fallbacks_total',
    'counter',
    ['client', 'operation', 'reason'],
    'Redis operations answered by their fallback, by operation and reason.',
  ),
  up: spec(
    'redis_connection_up',
    'gauge',
    ['client'],
    '1 when the Redis client is connected and ready, else 0.',
  ),
  connectionState: spec(
    'redis_connection_state',
    'gauge',
    ['client', 'state'],
    'One-hot Redis connection state: 1 for the current state, 0 for the others.',
  ),
  reconnects: spec(
    'redis_reconnects_total',
    'counter',
    ['client'],
    'Reconnect attempts scheduled by the Redis client.',
  ),
} as const;

/** Every bulkhead rejection reason; pre-created at 0. */
export const BULKHEAD_REJECTION_REASONS = ['full', 'queue-timeout'] as const;

/** Every breaker-registry eviction reason; pre-created at 0. */
export const EVICTION_REASONS = ['lru', 'idle', 'deleted'] as const;

/** The bulkhead metrics. */
export const BULKHEAD_METRICS = {
  inFlight: spec('bulkhead_in_flight', 'gauge', ['name'], 'Calls running in the bulkhead now.'),
  queued: spec('bulkhead_queued', 'gauge', ['name'], 'Calls waiting in the bulkhead queue now.'),
  maxConcurrent: spec(
    'bulkhead_max_concurrent',
    'gauge',
    ['name'],
    'Most calls the bulkhead runs at once (its capacity).',
  ),
  rejected: spec(
    'bulkhead_rejected_total',
    'counter',
    ['name', 'reason'],
    'Calls the bulkhead turned away, by reason (full, queue-timeout).',
  ),
} as const;

/** The retry budget metrics. */
export const RETRY_BUDGET_METRICS = {
  requests: spec(
    'retry_budget_requests_total',
    'counter',
    ['name'],
    'Requests (first executions) recorded in the retry budget.',
  ),
  retries: spec(
    'retry_budget_retries_total',
    'counter',
    ['name', 'result'],
    'Retries asked of the retry budget, by result (allowed, refused).',
  ),
  available: spec(
    'retry_budget_available',
    'gauge',
    ['name'],
    'Whole retries the retry budget would allow now.',
  ),
} as const;

/** The breaker registry metrics (per-key breakers also get the breaker metrics, capped). */
export const BREAKER_REGISTRY_METRICS = {
  breakers: spec(
    'breaker_registry_breakers',
    'gauge',
    ['name', 'state'],
    'Live breakers in the registry, by state.',
  ),
  remembered: spec(
    'breaker_registry_remembered',
    'gauge',
    ['name'],
    'Evicted breakers that were not closed and whose snapshot is kept.',
  ),
  evictions: spec(
    'breaker_registry_evictions_total',
    'counter',
    ['name', 'reason'],
    'Breakers removed from the registry, by reason (lru, idle, deleted).',
  ),
} as const;

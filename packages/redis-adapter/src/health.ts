/**
 * Health: the status rule for one adapter, and helpers mapping adapters' health to an HTTP
 * response in the `application/health+json` format of draft-inadarei-api-health-check. No
 * network I/O anywhere: everything is read from memory.
 *
 * A degraded Redis is `warn` with HTTP 200 by default (a cache outage must not pull every node
 * out of the load balancer); only a check marked `critical` turns into `fail` and 503. The
 * liveness helper never looks at Redis.
 */
import type { CircuitState } from '@breakwater/breaker';
import type { RedisConnectionState, RedisHealth } from './types.js';

/** Health status per the draft. */
export type HealthStatus = 'pass' | 'warn' | 'fail';

/**
 * The status of one adapter: `pass` when connected with a closed breaker; `warn` while
 * (re)connecting or probing (half-open); `fail` when the breaker is open or the connection is
 * closed or failed permanently. The worse of {@link connectionStatus} and {@link breakerStatus}.
 */
export function redisHealthStatus(
  connection: RedisConnectionState,
  breaker: CircuitState,
): HealthStatus {
  return worse(connectionStatus(connection), breakerStatus(breaker));
}

/** What the connection alone says: ready → pass, (re)connecting → warn, closed/failed → fail. */
function connectionStatus(connection: RedisConnectionState): HealthStatus {
  if (connection === 'ready') return 'pass';
  return connection === 'failed' || connection === 'closed' ? 'fail' : 'warn';
}

/** What the breaker alone says: closed → pass, half-open → warn, open → fail. */
function breakerStatus(breaker: CircuitState): HealthStatus {
  if (breaker === 'closed') return 'pass';
  return breaker === 'open' ? 'fail' : 'warn';
}

function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The statuses of the two entries of one adapter, each describing its own component, whose
 * worst is the adapter's own `status` (which may differ from {@link redisHealthStatus}: a
 * Cluster adapter warns for a shard, a Sentinel adapter only warns while a failover is
 * expected). The breaker entry is the breaker's own status, capped at the adapter's; the
 * connection entry is the adapter's status, unless the breaker alone explains it (then it is
 * the connection's own status). So a closed breaker passes while Redis is down, and a ready
 * connection passes while the breaker is open.
 */
function entryStatuses(h: RedisHealth): { connection: HealthStatus; breaker: HealthStatus } {
  const overall = h.status;
  const ownBreaker = breakerStatus(h.breaker.state);
  const ownConnection = connectionStatus(h.connection);
  const breaker = RANK[ownBreaker] <= RANK[overall] ? ownBreaker : overall;
  const connection =
    RANK[ownBreaker] >= RANK[overall] && RANK[ownConnection] < RANK[overall]
      ? ownConnection
      : overall;
  return { connection, breaker };
}

/** Something with a health() (an adapter). */
export interface HealthSource {
  readonly name: string;
  health(): RedisHealth;
}

/** One dependency in a health response. */
export interface RedisHealthCheck {
  /** The adapter (or anything with `name` and `health()`). */
  source: HealthSource;
  /** Component name in the `checks` keys (no ':'). @default source.name */
  name?: string;
  /**
   * A failing critical check makes the response `fail` with HTTP 503. Non-critical checks can
   * only make it `warn` (HTTP 200). @default false
   */
  critical?: boolean;
}

/** One entry of `checks` (draft-inadarei-api-health-check §4). */
export interface HealthCheckEntry {
  componentId: string;
  componentType: 'datastore' | 'component';
  status: HealthStatus;
  observedValue: string;
  time: string;
  /** Only when not passing; already redacted. */
  output?: string;
}

/** The response body. */
export interface HealthReport {
  status: HealthStatus;
  serviceId?: string;
  version?: string;
  releaseId?: string;
  description?: string;
  checks?: Record<string, HealthCheckEntry[]>;
}

/** An HTTP response to send as is. */
export interface HealthHttpResponse {
  statusCode: 200 | 503;
  headers: { 'content-type': 'application/health+json'; 'cache-control': 'no-store' };
  body: string;
  report: HealthReport;
}

/** Service metadata copied into the report. */
export interface HealthResponseOptions {
  serviceId?: string;
  version?: string;
  releaseId?: string;
  description?: string;
  /** Current time (ms since epoch) for `time` fields. @default Date.now() */
  now?: number;
}

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };
const HEADERS = Object.freeze({
  'content-type': 'application/health+json',
  'cache-control': 'no-store',
} as const);

function meta(o: HealthResponseOptions): HealthReport {
  const r: HealthReport = { status: 'pass' };
  if (o.serviceId !== undefined) r.serviceId = o.serviceId;
  if (o.version !== undefined) r.version = o.version;
  if (o.releaseId !== undefined) r.releaseId = o.releaseId;
  if (o.description !== undefined) r.description = o.description;
  return r;
}

function respond(report: HealthReport): HealthHttpResponse {
  return {
    statusCode: report.status === 'fail' ? 503 : 200,
    headers: { ...HEADERS },
    body: JSON.stringify(report),
    report,
  };
}

/**
 * Readiness response for one or more adapters. Status: the worst check, where a non-critical
 * `fail` counts as `warn`. HTTP 503 only when a critical check fails.
 */
export function redisHealthResponse(
  checks: RedisHealthCheck | readonly RedisHealthCheck[],
  options: HealthResponseOptions = {},
): HealthHttpResponse {
  const list = Array.isArray(checks) ? checks : [checks as RedisHealthCheck];
  const time = new Date(options.now ?? Date.now()).toISOString();
  const report = meta(options);
  report.checks = {};
  let worst: HealthStatus = 'pass';
  for (const c of list) {
    const name = (c.name ?? c.source.name).replace(/:/g, '_');
    const h = c.source.health();
    // A non-critical check can only warn: a cache outage must not fail the readiness probe.
    const cap = (st: HealthStatus): HealthStatus =>
      st === 'fail' && c.critical !== true ? 'warn' : st;
    const own = entryStatuses(h);
    const message = h.lastError?.message;
    const connection: HealthCheckEntry = {
      componentId: name,
      componentType: 'datastore',
      status: cap(own.connection),
      observedValue: h.connection,
      time,
    };
    const breaker: HealthCheckEntry = {
      componentId: name,
      componentType: 'component',
      status: cap(own.breaker),
      observedValue: h.breaker.state,
      time,
    };
    if (connection.status !== 'pass' && message !== undefined) connection.output = message;
    if (breaker.status !== 'pass' && message !== undefined) breaker.output = message;
    report.checks[`${name}:connection`] = [connection];
    report.checks[`${name}:circuitBreaker`] = [breaker];
    const status = cap(h.status);
    if (RANK[status] > RANK[worst]) worst = status;
  }
  report.status = worst;
  return respond(report);
}

/** Liveness response: always `pass`/200 and never looks at Redis. */
export function livenessResponse(options: HealthResponseOptions = {}): HealthHttpResponse {
  return respond(meta(options));
}

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
 * closed or failed permanently.
 */
export function redisHealthStatus(
  connection: RedisConnectionState,
  breaker: CircuitState,
): HealthStatus {
  if (connection === 'failed' || connection === 'closed' || breaker === 'open') return 'fail';
  if (connection !== 'ready' || breaker === 'half-open') return 'warn';
  return 'pass';
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
    const status: HealthStatus = h.status === 'fail' && c.critical !== true ? 'warn' : h.status;
    const output = h.status === 'pass' ? undefined : (h.lastError?.message ?? undefined);
    const connection: HealthCheckEntry = {
      componentId: name,
      componentType: 'datastore',
      status,
      observedValue: h.connection,
      time,
    };
    const breaker: HealthCheckEntry = {
      componentId: name,
      componentType: 'component',
      status,
      observedValue: h.breaker.state,
      time,
    };
    if (output !== undefined) connection.output = output;
    report.checks[`${name}:connection`] = [connection];
    report.checks[`${name}:circuitBreaker`] = [breaker];
    if (RANK[status] > RANK[worst]) worst = status;
  }
  report.status = worst;
  return respond(report);
}

/** Liveness response: always `pass`/200 and never looks at Redis. */
export function livenessResponse(options: HealthResponseOptions = {}): HealthHttpResponse {
  return respond(meta(options));
}

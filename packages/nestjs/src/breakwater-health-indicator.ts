/**
 * BreakwaterHealthIndicator: a @nestjs/terminus health indicator for the breakwater adapter.
 * Redis down is degraded, not down: the indicator answers `up` with `degraded: true` and the
 * adapter's state, so the readiness probe stays 200 and the service keeps its traffic (the
 * recipes answer from their fallbacks). Only `critical: true` makes it `down` (HTTP 503).
 */
import { redisHealthStatus } from '@breakwater/redis-adapter';
import type { HealthSource } from '@breakwater/redis-adapter';

/** One indicator result, as terminus merges it (`HealthIndicatorResult`). */
export type BreakwaterHealthResult = Record<
  string,
  { status: 'up' | 'down'; degraded: boolean; connection: string; circuitBreaker: string }
>;

/** Options of {@link BreakwaterHealthIndicator.isHealthy}. */
export interface BreakwaterHealthCheckOptions {
  /**
   * Redis unusable makes the indicator `down` (terminus answers 503). Leave `false` for a
   * service that still answers without Redis.
   * @default false
   */
  critical?: boolean;
}

export class BreakwaterHealthIndicator {
  constructor(private readonly adapter: HealthSource) {}

  /** `health.check([() => redis.isHealthy('redis')])`: never throws, never waits on Redis. */
  isHealthy(key = 'redis', options: BreakwaterHealthCheckOptions = {}): BreakwaterHealthResult {
    const h = this.adapter.health();
    const status = redisHealthStatus(h.connection, h.breaker.state);
    return {
      [key]: {
        status: status === 'fail' && options.critical === true ? 'down' : 'up',
        degraded: status !== 'pass',
        connection: h.connection,
        circuitBreaker: h.breaker.state,
      },
    };
  }
}

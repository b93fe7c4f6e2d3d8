/**
 * The operator routes, never throttled: `/up` (liveness, never looks at Redis), `/health`
 * (terminus; Redis down is `up` with `degraded: true`, HTTP 200) and `/metrics`.
 */
import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Injectable, Res } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { BREAKWATER_ADAPTER, BreakwaterHealthIndicator } from '@breakwater/nestjs';
import { instrumentRedisAdapter, scrapeMetrics } from '@breakwater/metrics';
import type { RedisAdapter } from '@breakwater/redis-adapter';
import { Registry } from 'prom-client';

/** The Prometheus registry with the adapter's metrics (created by the module: a RedisAdapter). */
@Injectable()
export class ServiceMetrics implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly dispose: () => void;

  constructor(@Inject(BREAKWATER_ADAPTER) adapter: RedisAdapter) {
    this.dispose = instrumentRedisAdapter(adapter, { registry: this.registry });
  }

  onModuleDestroy(): void {
    this.dispose();
  }
}

@Controller()
@SkipThrottle()
export class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: BreakwaterHealthIndicator,
    private readonly metrics: ServiceMetrics,
  ) {}

  @Get('up')
  up(): { status: 'pass' } {
    return { status: 'pass' };
  }

  @Get('health')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.redis.isHealthy('redis')]);
  }

  @Get('metrics')
  async scrape(@Res() res: ServerResponse): Promise<void> {
    const r = await scrapeMetrics(this.metrics.registry);
    res.writeHead(r.statusCode, { 'content-type': r.contentType }).end(r.body);
  }
}

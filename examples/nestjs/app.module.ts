/**
 * The NestJS example's root module: `@breakwater/nestjs` provides the adapter (closed on
 * shutdown) and the terminus indicator, `@nestjs/throttler` counts through the breakwater
 * storage, and the controllers serve a cached read, the health routes and `/metrics`.
 */
import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  BREAKWATER_ADAPTER,
  BreakwaterModule,
  BreakwaterThrottlerStorage,
} from '@breakwater/nestjs';
import type { BreakwaterNestAdapter } from '@breakwater/nestjs';
import type { RedisAdapterOptions } from '@breakwater/redis-adapter';
import { OpsController, ServiceMetrics } from './ops.controller.js';
import { ProductCatalog, ProductsController } from './products.controller.js';

export interface AppOptions {
  /** Where Redis is (`redis://…`). */
  redisUrl: string;
  /** Adapter settings over the example's (a 200 ms deadline per Redis call). */
  adapter?: Omit<RedisAdapterOptions, 'url'>;
  /** Requests per client and second on the throttled routes. @default 1000 */
  rateLimit?: number;
}

@Module({})
export class AppModule {
  static register(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BreakwaterModule.forRoot({
          redis: { operationTimeout: 200, ...options.adapter, url: options.redisUrl },
        }),
        ThrottlerModule.forRootAsync({
          inject: [BREAKWATER_ADAPTER],
          useFactory: (redis: BreakwaterNestAdapter) => ({
            throttlers: [{ ttl: 1000, limit: options.rateLimit ?? 1000 }],
            // An outage counts in this process instead of failing or waving everyone through.
            storage: new BreakwaterThrottlerStorage(redis, { onOutage: 'memory' }),
          }),
        }),
        TerminusModule,
      ],
      controllers: [ProductsController, OpsController],
      providers: [ProductCatalog, ServiceMetrics, { provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}

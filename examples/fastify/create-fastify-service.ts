/**
 * The Fastify example: Fastify 5 with `@breakwater/fastify` (the adapter on the instance, closed
 * with Fastify, the readiness route), `@fastify/rate-limit` over the breakwater store, a cached
 * read (`createCache().wrap()`: an outage is a miss, served from the database) and `/metrics`.
 * Redis is not critical: every route keeps answering while it is down, `/health` says `warn`
 * with HTTP 200, and the answers that came from a fallback are counted on `/metrics`.
 */
import { breakwaterFastify } from '@breakwater/fastify';
import { breakwaterRateLimitStore } from '@breakwater/fastify/rate-limit';
import { instrumentRedisAdapter, scrapeMetrics } from '@breakwater/metrics';
import { createCache } from '@breakwater/recipes';
import { createRedisAdapter, livenessResponse } from '@breakwater/redis-adapter';
import type { RedisAdapterOptions } from '@breakwater/redis-adapter';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { loadProduct } from '../service/product-db.js';
import type { Product } from '../service/product-db.js';

export interface FastifyServiceOptions {
  /** Where Redis is (`redis://…`). */
  redisUrl: string;
  /** Adapter settings (the drill shortens the breaker's reset timeout, for instance). */
  adapter?: Omit<RedisAdapterOptions, 'url'>;
  /** Requests per client IP and second on `/products/:id`. @default 1000 */
  rateLimit?: number;
}

export interface FastifyService {
  app: FastifyInstance;
  adapter: ReturnType<typeof createRedisAdapter>;
  registry: Registry;
  /** Redis calls answered by their fallback, and reconnect attempts (also on /metrics). */
  stats(): { fallbacks: number; reconnects: number };
  /** Closes Fastify, which closes the adapter (`onClose`), and the metrics listeners. */
  close(): Promise<void>;
}

export async function createFastifyService(
  options: FastifyServiceOptions,
): Promise<FastifyService> {
  const adapter = createRedisAdapter({
    operationTimeout: 200,
    ...options.adapter,
    url: options.redisUrl,
  });
  const registry = new Registry();
  const disposeMetrics = instrumentRedisAdapter(adapter, { registry });
  const counters = { fallbacks: 0, reconnects: 0 };
  const unsubscribe = [
    adapter.on('operation', (e) => void (e.result === 'fallback' && counters.fallbacks++)),
    adapter.on('reconnecting', () => void counters.reconnects++),
  ];
  await adapter.connect(); // never hangs; without Redis the service starts degraded

  const app = Fastify();
  // The plugin holds the adapter, closes it with Fastify and serves the readiness route.
  await app.register(breakwaterFastify, { adapter, healthPath: '/health' });
  await app.register(rateLimit, {
    global: false,
    store: breakwaterRateLimitStore(app.breakwater, { name: 'example', onOutage: 'memory' }),
  });
  const cache = createCache(app.breakwater, {
    prefix: 'example:fastify:cache:',
    defaultTtlMs: 60_000,
  });

  app.get('/up', async (_request, reply) => {
    const r = livenessResponse({ serviceId: 'example-fastify' });
    return reply.code(r.statusCode).headers(r.headers).send(r.body);
  });
  app.get('/metrics', async (_request, reply) => {
    const r = await scrapeMetrics(registry);
    return reply.code(r.statusCode).type(r.contentType).send(r.body);
  });
  app.get<{ Params: { id: string } }>(
    '/products/:id',
    { config: { rateLimit: { max: options.rateLimit ?? 1000, timeWindow: 1000 } } },
    async (request) => {
      // A cache outage is a miss: wrap() goes straight to the database.
      const id = request.params.id.slice(0, 32);
      const product = await cache.wrap<Product>(`product:${id}`, 30_000, () => loadProduct(id));
      return { product };
    },
  );
  await app.ready();

  return {
    app,
    adapter,
    registry,
    stats: () => ({ ...counters }),
    close: async () => {
      await app.close(); // closes the adapter through the plugin's onClose hook
      for (const u of unsubscribe) u();
      cache.dispose();
      disposeMetrics();
    },
  };
}

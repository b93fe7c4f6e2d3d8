/**
 * The example service: express 5 over one Redis adapter shared by a rate limiter, a session
 * store and a cache, with /up (liveness), /health (readiness, application/health+json) and
 * /metrics. Redis is not critical here: every route keeps answering while it is down, the
 * response says what was degraded, and /health reports 'warn' with HTTP 200.
 */
import { instrumentRedisAdapter, metricsHandler } from '@breakwater/metrics';
import { createCache, createRateLimiter, createSessionStore } from '@breakwater/recipes';
import {
  createRedisAdapter,
  livenessResponse,
  redisHealthResponse,
} from '@breakwater/redis-adapter';
import type { HealthHttpResponse, RedisAdapterOptions } from '@breakwater/redis-adapter';
import express from 'express';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { loadProduct } from './product-db.js';
import type { Product } from './product-db.js';

export interface ServiceOptions {
  /** Where Redis is (`redis://…`). */
  redisUrl: string;
  /** Adapter settings (the drill shortens the breaker's reset timeout, for instance). */
  adapter?: Omit<RedisAdapterOptions, 'url'>;
}

/** Counters the drill prints; the same facts are in /metrics. */
export interface ServiceStats {
  /** Recipe operations answered from their outage contract (cache miss, allow, unavailable…). */
  fallbacks: number;
  /** Reconnect attempts of the Redis client. */
  reconnects: number;
}

export interface Service {
  app: express.Express;
  adapter: ReturnType<typeof createRedisAdapter>;
  registry: Registry;
  stats(): ServiceStats;
  /** Closes the adapter and removes the metrics listeners (the HTTP server is the caller's). */
  close(): Promise<void>;
}

interface Session {
  user: string;
}

function sendHealth(res: Response, h: HealthHttpResponse): void {
  res.status(h.statusCode).set(h.headers).send(h.body);
}

function sessionId(cookie: string | undefined): string | undefined {
  const m = /(?:^|;\s*)sid=([A-Za-z0-9_-]{8,64})/.exec(cookie ?? '');
  return m?.[1];
}

export async function createService(options: ServiceOptions): Promise<Service> {
  const adapter = createRedisAdapter({ ...options.adapter, url: options.redisUrl });
  const registry = new Registry();
  const disposeMetrics = instrumentRedisAdapter(adapter, { registry });
  const limiter = createRateLimiter(adapter, {
    name: 'api',
    limit: 1000,
    windowMs: 1000,
    onOutage: 'memory',
  });
  const sessions = createSessionStore<Session>(adapter, {
    prefix: 'example:sess:',
    ttlMs: 3_600_000,
  });
  const cache = createCache(adapter, { prefix: 'example:cache:', defaultTtlMs: 60_000 });

  const counters: ServiceStats = { fallbacks: 0, reconnects: 0 };
  const count = (): void => void counters.fallbacks++;
  const unsubscribe = [
    limiter.on('degraded', count),
    sessions.on('degraded', count),
    cache.on('degraded', count),
    adapter.on('reconnecting', () => void counters.reconnects++),
  ];
  await adapter.connect(); // never hangs; without Redis the service starts degraded

  const app = express();
  app.use(express.json());
  app.get('/up', (_req, res) =>
    sendHealth(res, livenessResponse({ serviceId: 'example-service' })),
  );
  app.get('/health', (_req, res) =>
    sendHealth(res, redisHealthResponse({ source: adapter }, { serviceId: 'example-service' })),
  );
  app.get('/metrics', metricsHandler(registry));

  app.post('/login', async (req, res) => {
    const user = typeof req.body?.user === 'string' ? req.body.user.slice(0, 64) : 'guest';
    const sid = crypto.randomUUID().replace(/-/g, '');
    const saved = await sessions.set(sid, { user });
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax' });
    // A session that could not be stored is said so, not hidden: the user stays anonymous.
    // 'unknown': the write was sent but not answered in time; it may still be stored.
    const session =
      saved.status === 'ok' ? 'stored' : saved.status === 'unknown' ? 'unknown' : 'not-stored';
    res.json({ user, session });
  });

  app.get('/products/:id', async (req, res) => {
    const degraded: string[] = [];
    const limit = await limiter.consume(req.ip ?? 'unknown');
    if (limit.degraded) degraded.push('rate-limit');
    if (!limit.allowed) {
      res.set('retry-after', String(Math.ceil(limit.resetMs / 1000)));
      res.status(429).json({ error: 'too many requests' });
      return;
    }
    // Missing and unavailable are different answers: only "missing" means anonymous.
    let user: string | null = null;
    const sid = sessionId(req.headers.cookie);
    if (sid !== undefined) {
      const s = await sessions.get(sid);
      if (s.status === 'found') user = s.value.user;
      else if (s.status === 'unavailable') degraded.push('session');
    }
    // A cache outage is a miss: wrap() goes straight to the database.
    const id = req.params.id.slice(0, 32);
    const product = await cache.wrap<Product>(`product:${id}`, 30_000, () => loadProduct(id));
    if (degraded.length > 0) res.set('x-degraded', degraded.join(','));
    res.json({ product, user });
  });

  return {
    app,
    adapter,
    registry,
    stats: () => ({ ...counters }),
    close: async () => {
      for (const u of unsubscribe) u();
      cache.dispose();
      disposeMetrics();
      await adapter.close();
    },
  };
}

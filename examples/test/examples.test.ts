/**
 * The examples start and answer: the Redis service (/up, /health, /metrics, a product route)
 * with Redis up, killed, restarted and absent; the upstream-breaker example with its API up,
 * hanging and back.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, stopAllRedis } from '../../test-support/redis-server.js';
import { createService } from '../service/create-service.js';
import { createQuoteService } from '../upstream-breaker/quote-service.js';
import { startUpstream } from '../upstream-breaker/upstream-server.js';

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await stopAllRedis();
});

async function listen(app: {
  listen(port: number, host: string, cb: () => void): Server;
}): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function timed(
  url: string,
  init?: RequestInit,
): Promise<{ res: Response; ms: number; body: string }> {
  const t = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { res, ms: performance.now() - t, body };
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('example service (express + adapter + cache + rate limiter + session store)', () => {
  it('answers /up, /health, /metrics and products with Redis up, killed and restarted', async () => {
    const redis = await startRedis();
    const service = await createService({
      redisUrl: redis.url,
      adapter: { operationTimeout: 200, breaker: { resetTimeout: 500 } },
    });
    try {
      const base = await listen(service.app);
      const up = await timed(`${base}/up`);
      expect(up.res.status).toBe(200);
      expect(up.res.headers.get('content-type')).toContain('application/health+json');
      expect(JSON.parse(up.body)).toMatchObject({ status: 'pass' });

      const health = await timed(`${base}/health`);
      expect(health.res.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'pass' });

      const login = await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'alice' }),
      });
      expect(await login.json()).toMatchObject({ user: 'alice', session: 'stored' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^sid=/);

      const product = await timed(`${base}/products/7`, { headers: { cookie } });
      expect(product.res.status).toBe(200);
      expect(product.res.headers.get('x-degraded')).toBeNull();
      expect(JSON.parse(product.body)).toMatchObject({ product: { id: '7' }, user: 'alice' });
      // The cache writes back in the background: the response does not wait for the SET.
      await expect
        .poll(() => redis.cli('EXISTS', 'example:cache:product:7'), { timeout: 2000 })
        .toBe('1');

      const metrics = await timed(`${base}/metrics`);
      expect(metrics.res.status).toBe(200);
      expect(metrics.body).toContain('circuit_breaker_state{name="redis"} 0');
      expect(metrics.body).toContain('redis_connection_up{client="redis"} 1');
      expect(metrics.body).toMatch(
        /redis_operations_total\{client="redis",operation="[^"]+",result="success"\} [1-9]/,
      );

      await redis.kill();
      const during = await timed(`${base}/products/8`, { headers: { cookie } });
      expect(during.res.status).toBe(200);
      expect(during.ms).toBeLessThan(1500);
      expect(JSON.parse(during.body)).toMatchObject({ product: { id: '8' } });
      expect(during.res.headers.get('x-degraded')).toMatch(/rate-limit|session/);
      const degraded = await timed(`${base}/health`);
      expect(degraded.res.status).toBe(200);
      const report = JSON.parse(degraded.body) as {
        status: string;
        checks: Record<string, [{ status: string; observedValue: string }]>;
      };
      expect(report.status).toBe('warn');
      // Each entry describes its own component: the connection is down (warn, not fail: a
      // non-critical check), the breaker entry says what the breaker says (pass while closed).
      const [conn] = report.checks['redis:connection']!;
      const [breaker] = report.checks['redis:circuitBreaker']!;
      expect(conn).toMatchObject({ status: 'warn' });
      expect(conn.observedValue).not.toBe('ready');
      expect(breaker.status).toBe(breaker.observedValue === 'closed' ? 'pass' : 'warn');
      expect((await timed(`${base}/up`)).res.status).toBe(200);
      expect((await timed(`${base}/metrics`)).body).toContain(
        'redis_connection_up{client="redis"} 0',
      );
      expect(service.stats().fallbacks).toBeGreaterThan(0);

      await redis.restart();
      const recovered = await eventually(async () => {
        const h = await timed(`${base}/health`);
        return JSON.parse(h.body).status === 'pass';
      }, 10_000);
      expect(recovered).toBe(true);
      const after = await timed(`${base}/products/9`);
      expect(after.res.status).toBe(200);
      expect(after.res.headers.get('x-degraded')).toBeNull();
    } finally {
      await service.close();
    }
  });

  it('starts and answers with Redis absent (degraded, never 5xx)', async () => {
    const service = await createService({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      adapter: { operationTimeout: 200, connectTimeout: 500 },
    });
    try {
      const base = await listen(service.app);
      const product = await timed(`${base}/products/1`);
      expect(product.res.status).toBe(200);
      expect(product.ms).toBeLessThan(1500);
      expect(JSON.parse(product.body)).toMatchObject({ product: { id: '1' }, user: null });
      const health = await timed(`${base}/health`);
      expect(health.res.status).toBe(200);
      expect(JSON.parse(health.body).status).toBe('warn');
      expect((await timed(`${base}/up`)).res.status).toBe(200);
    } finally {
      await service.close();
    }
  });
});

describe('upstream-breaker example (the breaker around fetch)', () => {
  it('serves fresh quotes, falls back fast while the API hangs, and recovers', async () => {
    const upstream = await startUpstream();
    const quotes = createQuoteService(upstream.url);
    try {
      const base = await listen(quotes.app);
      const fresh = await timed(`${base}/quote`);
      expect(fresh.res.status).toBe(200);
      const first = JSON.parse(fresh.body) as { price: number; source: string };
      expect(first.source).toBe('upstream');
      expect(typeof first.price).toBe('number');

      upstream.mode = 'hang';
      for (let i = 0; i < 4; i++) {
        const q = await timed(`${base}/quote`);
        expect(q.res.status).toBe(200);
        expect(q.ms).toBeLessThan(1000); // 300 ms deadline, then the last good price
        expect(JSON.parse(q.body)).toEqual({
          sku: 'widget',
          price: first.price,
          source: 'fallback',
        });
      }
      expect(quotes.breaker.state).toBe('open');
      const sent = upstream.requests;
      const shorted = await timed(`${base}/quote`);
      // Short-circuited: well below the 300 ms deadline (margin for a busy 2-core box), and
      // the API is not called.
      expect(shorted.ms).toBeLessThan(250);
      expect(upstream.requests).toBe(sent); // short-circuited: the API is not called
      const health = await timed(`${base}/health`);
      expect(health.res.status).toBe(200);
      expect(JSON.parse(health.body).status).toBe('warn');
      expect((await timed(`${base}/metrics`)).body).toContain(
        'circuit_breaker_state{name="pricing-api"} 2',
      );

      upstream.mode = 'ok';
      const back = await eventually(async () => {
        const q = await timed(`${base}/quote`);
        return (JSON.parse(q.body) as { source: string }).source === 'upstream';
      }, 6000);
      expect(back).toBe(true);
      expect(quotes.breaker.state).toBe('closed');
      expect(JSON.parse((await timed(`${base}/health`)).body).status).toBe('pass');
    } finally {
      quotes.close();
      await upstream.close();
    }
  });
});

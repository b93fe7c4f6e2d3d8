/**
 * @breakwater/fastify against real Fastify 5 + @fastify/rate-limit 11 and a real redis-server:
 * the plugin's decoration, onClose and health route, exact counts with Redis up, the
 * non-counting peek (`createRateLimit()(req, { increment: false })` → `read`), and the outage
 * drill (SIGKILL and SIGSTOP under load) for the 'open' and 'closed' policies.
 */
import http from 'node:http';
import Fastify from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { breakwaterFastify } from '@breakwater/fastify';
import { breakwaterRateLimitStore } from '@breakwater/fastify/rate-limit';
import type { BreakwaterFastifyRateLimitOptions } from '@breakwater/fastify/rate-limit';
import { constantBackoff } from '@breakwater/breaker';
import { httpRequest, summarize } from '../../../test-support/http-load.js';
import { outageUnderLoad } from '../../../test-support/outage-under-load.js';
import type { RedisFault } from '../../../test-support/outage-under-load.js';
import { expectAnsweredInTime, serve } from '../../recipes/test/integration-app.js';
import type { TestServer } from '../../recipes/test/integration-app.js';
import { DEADLINE_MS, useEnv } from '../../recipes/test/harness.js';

const env = useEnv();
let open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

/** A Fastify app: the plugin over the test's adapter, /hit behind @fastify/rate-limit. */
async function app(store: BreakwaterFastifyRateLimitOptions, max: number) {
  const f = Fastify();
  await f.register(breakwaterFastify, {
    adapter: env.adapter,
    closeOnClose: false,
    healthPath: '/health/ready',
  });
  const Store = breakwaterRateLimitStore(f.breakwater, store);
  await f.register(rateLimit, {
    max,
    timeWindow: 60_000,
    store: Store,
    keyGenerator: (req) => String(req.headers['x-client'] ?? 'anonymous'),
  });
  f.get('/hit', async () => 'ok');
  f.get('/strict', { config: { rateLimit: { max: 2, timeWindow: 60_000 } } }, async () => 'ok');
  // The global limiter's state for this client, without counting (the store's read).
  const check = f.createRateLimit();
  f.get('/peek', { config: { rateLimit: false } }, async (req) => {
    const r = await check(req, { increment: false });
    return r.isAllowed ? {} : { remaining: r.remaining, isExceeded: r.isExceeded, ttl: r.ttl };
  });
  await f.ready();
  open.push(f);
  const server: TestServer = await serve(env.adapter, (req, res) => f.routing(req, res));
  open.push(server);
  return { f, server };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
afterAll(() => agent.destroy());
const get = (port: number, path: string, client = 'c1') =>
  httpRequest(agent, port, path, { headers: { 'x-client': client }, capMs: 10_000 });

describe('breakwaterFastify with Redis up', () => {
  it('counts exactly under concurrency: 300 concurrent hits, max 100 → 100 × 200, 200 × 429', async () => {
    const { server } = await app({ onOutage: 'closed' }, 100);
    const answers = await Promise.all(Array.from({ length: 300 }, () => get(server.port, '/hit')));
    expect(summarize(answers).byStatus).toEqual({ 200: 100, 429: 200 });
    expect(await env.server.cli('GET', 'breakwater:rl:fastify-rate-limit:c1')).toBe('300');
    expect(answers.find((a) => a.status === 200)?.headers['x-ratelimit-remaining']).toBeDefined();
    expect(Number(answers.find((a) => a.status === 429)?.headers['retry-after'])).toBeGreaterThan(
      0,
    );
    // A route with its own config.rateLimit counts under its own key (store.child).
    const strict = [];
    for (let i = 0; i < 3; i++) strict.push((await get(server.port, '/strict', 'c9')).status);
    expect(strict).toEqual([200, 200, 429]);
    expect(await env.server.cli('GET', 'breakwater:rl:fastify-rate-limit:GET/strict:c9')).toBe('3');
  });

  it('peeks without counting (read, @fastify/rate-limit 11.1+), and answers "nothing counted" during an outage', async () => {
    const { server } = await app({ onOutage: 'closed' }, 3);
    const peek = async (client: string) => {
      const r = await get(server.port, '/peek', client);
      expect(r.status).toBe(200);
      return JSON.parse(r.body) as { remaining: number; isExceeded: boolean; ttl: number };
    };
    expect(await peek('p1')).toEqual({ remaining: 3, isExceeded: false, ttl: 0 });
    for (let i = 0; i < 4; i++) await get(server.port, '/hit', 'p1');
    const seen = await peek('p1');
    expect(seen).toMatchObject({ remaining: 0, isExceeded: true });
    expect(seen.ttl).toBeGreaterThan(55_000);
    expect(await peek('p1')).toMatchObject({ remaining: 0, isExceeded: true });
    expect(await env.server.cli('GET', 'breakwater:rl:fastify-rate-limit:p1')).toBe('4');
    await env.server.kill();
    const start = performance.now();
    expect(await peek('p1')).toEqual({ remaining: 3, isExceeded: false, ttl: 0 });
    expect(performance.now() - start).toBeLessThan(DEADLINE_MS + 1_000);
    // The next counted request applies the outage policy ('closed': 429).
    expect((await get(server.port, '/hit', 'p1')).status).toBe(429);
  });

  it('health route: pass / 200 with Redis up; the decoration is the adapter', async () => {
    const { f, server } = await app({ onOutage: 'open' }, 10);
    expect(f.breakwater).toBe(env.adapter);
    const r = await get(server.port, '/health/ready');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/health+json');
    expect(JSON.parse(r.body).status).toBe('pass');
  });

  it('creates, connects and closes its own adapter (onClose)', async () => {
    const f = Fastify();
    await f.register(breakwaterFastify, {
      redis: { url: env.server.url, reconnectBackoff: constantBackoff(100), reporter: () => {} },
    });
    expect(f.breakwater.connectionState).toBe('ready');
    await f.close();
    expect(f.breakwater.connectionState).toBe('closed');
  });

  it('rejects bad options when registered, naming the option', async () => {
    const bad = async (o: object) => {
      const f = Fastify();
      try {
        await f.register(breakwaterFastify, o);
        await f.ready();
      } finally {
        await f.close().catch(() => {});
      }
    };
    await expect(bad({ adapter: env.adapter, healthPath: 'health' })).rejects.toThrow(/healthPath/);
    await expect(bad({ adapter: env.adapter, closeOnClose: 'yes' })).rejects.toThrow(
      /closeOnClose/,
    );
    await expect(bad({ adapter: env.adapter, nmae: 1 })).rejects.toThrow(/unknown option "nmae"/);
    await expect(bad({ adapter: {} })).rejects.toThrow(/adapter/);
    expect(() => breakwaterRateLimitStore(env.adapter, { onOutage: 'maybe' as 'open' })).toThrow(
      /onOutage/,
    );
  });
});

const outageStatuses: Record<string, number[]> = { open: [200], closed: [200, 429] };

describe.each(['kill', 'pause'] as RedisFault[])('Redis %s under load', (fault) => {
  it.each(['open', 'closed'] as const)(
    'onOutage %s: every request answered within deadline + 100 ms, no 5xx, health degraded (200), back after recovery',
    async (onOutage) => {
      const name = `drill-${fault}-${onOutage}`;
      const { server } = await app({ onOutage, name }, 1_000_000);
      let probe = 0;
      let fallbacksDuring = 0;
      let healthDuring: { status: number; body: string } = { status: 0, body: '' };
      const result = await outageUnderLoad({
        server: env.server,
        fault,
        load: { port: server.port, path: '/hit', rate: 80, headers: { 'x-client': 'load' } },
        upMs: 400,
        outageMs: 1_600,
        afterMs: 400,
        duringOutage: async () => {
          fallbacksDuring = await server.fallbacks('rate-limiter.consume');
          healthDuring = await get(server.port, '/health/ready');
        },
        recovered: async () => {
          const client = `probe-${probe++}`;
          const r = await get(server.port, '/hit', client);
          return (
            r.status === 200 &&
            (await env.server.cli('EXISTS', `breakwater:rl:${name}:${client}`)) === '1'
          );
        },
      });
      const up = expectAnsweredInTime(result.phase('up'), [200], expect);
      const outage = expectAnsweredInTime(
        [...result.phase('outage'), ...result.phase('recovering')],
        outageStatuses[onOutage],
        expect,
      );
      const after = expectAnsweredInTime(result.phase('after'), [200], expect);
      expect(up.count).toBeGreaterThan(10);
      expect(outage.count).toBeGreaterThan(50);
      expect(after.count).toBeGreaterThan(10);
      if (onOutage === 'closed') expect(outage.byStatus[429]).toBeGreaterThan(0);
      // Redis down is degraded, not down: 200 with the details.
      expect(healthDuring.status).toBe(200);
      const report = JSON.parse(healthDuring.body) as {
        status: string;
        checks: Record<string, Array<{ status: string }>>;
      };
      expect(report.status).toBe('warn');
      expect(
        Object.values(report.checks)
          .flat()
          .some((c) => c.status !== 'pass'),
      ).toBe(true);
      expect(fallbacksDuring).toBeGreaterThan(0);
      console.log(
        `fastify ${fault} ${onOutage}: up ${JSON.stringify(up)} outage ${JSON.stringify(outage)} after ${JSON.stringify(after)} recovery ${Math.round(result.recoveryMs)} ms, /metrics fallbacks during ${fallbacksDuring}, deadline ${DEADLINE_MS} ms`,
      );
    },
  );
});

/**
 * The express-rate-limit Store against real express 5 + express-rate-limit 8 and a real
 * redis-server: exact counts under concurrency, decrement/resetKey/getKey, and the outage drill
 * (SIGKILL and SIGSTOP under load) for each outage policy.
 */
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakwaterRateLimitStore } from '@breakwater/recipes/express-rate-limit';
import type { BreakwaterRateLimitStoreOptions } from '@breakwater/recipes/express-rate-limit';
import http from 'node:http';
import { httpRequest, summarize } from '../../../test-support/http-load.js';
import { outageUnderLoad } from '../../../test-support/outage-under-load.js';
import type { RedisFault } from '../../../test-support/outage-under-load.js';
import { adapterTimeline, expectAnsweredInTime, serve } from './integration-app.js';
import type { TestServer } from './integration-app.js';
import { useEnv } from './harness.js';

const env = useEnv();
let open: TestServer[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

interface AppOptions {
  store: BreakwaterRateLimitStoreOptions;
  limit: number;
  windowMs?: number;
  skipSuccessfulRequests?: boolean;
}

/** An express app whose /hit route is behind rateLimit() with the breakwater store. */
async function app(o: AppOptions) {
  const store = new BreakwaterRateLimitStore(env.adapter, o.store);
  const limiter = rateLimit({
    windowMs: o.windowMs ?? 60_000,
    limit: o.limit,
    store,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: o.skipSuccessfulRequests ?? false,
    keyGenerator: (req) => String(req.headers['x-client'] ?? 'anonymous'),
  });
  const a = express();
  a.get('/hit', limiter, (_req, res) => void res.send('ok'));
  const server = await serve(env.adapter, a);
  open.push(server);
  return { store, limiter, server };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const hit = (port: number, client: string) =>
  httpRequest(agent, port, '/hit', { headers: { 'x-client': client }, capMs: 10_000 });

describe('BreakwaterRateLimitStore with Redis up', () => {
  it('counts exactly under concurrency: 300 concurrent hits, limit 100 → 100 × 200, 200 × 429', async () => {
    const { store, server } = await app({ store: { onOutage: 'closed' }, limit: 100 });
    const answers = await Promise.all(Array.from({ length: 300 }, () => hit(server.port, 'c1')));
    expect(summarize(answers).byStatus).toEqual({ 200: 100, 429: 200 });
    // Every hit is counted (the middleware compares with its limit), atomically.
    expect(await env.server.cli('GET', 'breakwater:rl:express-rate-limit:c1')).toBe('300');
    expect(store.stats().degraded).toBe(0);
    const ok = answers.find((a) => a.status === 200);
    expect(ok?.headers.ratelimit).toMatch(/r=\d+/);
    expect(answers.find((a) => a.status === 429)?.headers['retry-after']).toBeDefined();
    // Another key has its own budget.
    expect((await hit(server.port, 'c2')).status).toBe(200);
  });

  it('decrement (skipSuccessfulRequests), getKey and resetKey reach Redis', async () => {
    const { limiter, server } = await app({
      store: { onOutage: 'open', name: 'skip-ok' },
      limit: 2,
      skipSuccessfulRequests: true,
    });
    for (let i = 0; i < 5; i++) expect((await hit(server.port, 'k')).status).toBe(200);
    // Each 200 was given back once the response finished.
    await expect
      .poll(() => env.server.cli('GET', 'breakwater:rl:skip-ok:k'), { timeout: 5_000 })
      .toBe('0');
    const info = await limiter.getKey('k');
    expect(info?.totalHits).toBe(0);
    expect(info?.resetTime?.getTime()).toBeGreaterThan(Date.now());
    expect(await limiter.getKey('nobody')).toBeUndefined();
    await limiter.resetKey('k');
    expect(await env.server.cli('EXISTS', 'breakwater:rl:skip-ok:k')).toBe('0');
  });

  it('rejects bad options at construction, naming the option', () => {
    expect(
      () => new BreakwaterRateLimitStore(env.adapter, { onOutage: 'maybe' as 'open' }),
    ).toThrow(/onOutage/);
    expect(
      () => new BreakwaterRateLimitStore(env.adapter, { onOutage: 'open', memoryLimit: 3 }),
    ).toThrow(/memoryLimit only applies/);
    expect(
      () =>
        new BreakwaterRateLimitStore(env.adapter, {
          onOutage: 'open',
          nmae: 'x',
        } as unknown as BreakwaterRateLimitStoreOptions),
    ).toThrow(/unknown option "nmae"/);
    expect(() => new BreakwaterRateLimitStore({} as never, { onOutage: 'open' })).toThrow(
      /adapter/,
    );
  });
});

/** What the middleware answers while Redis is down, per policy. */
const outageStatuses: Record<string, number[]> = {
  open: [200],
  closed: [200, 429],
  memory: [200, 429],
};

describe.each(['kill', 'pause'] as RedisFault[])('Redis %s under load', (fault) => {
  it.each(['open', 'closed', 'memory'] as const)(
    'onOutage %s: every request answered within deadline + 100 ms, no 5xx, degraded answers on /metrics, back after recovery',
    async (onOutage) => {
      const name = `drill-${fault}-${onOutage}`;
      const { store, server } = await app({
        store: { onOutage, name, ...(onOutage === 'memory' ? { memoryLimit: 20 } : {}) },
        limit: 1_000_000,
      });
      let probe = 0;
      const timeline = adapterTimeline(env.adapter);
      let fallbacksDuring = 0;
      let upDuring = 1;
      const result = await outageUnderLoad({
        server: env.server,
        fault,
        load: { port: server.port, path: '/hit', rate: 80, headers: { 'x-client': 'load' } },
        upMs: 400,
        outageMs: 1_600,
        afterMs: 400,
        duringOutage: async () => {
          fallbacksDuring = await server.fallbacks('rate-limiter.consume');
          upDuring = await server.connectionUp();
        },
        // Back when a fresh client's hit is counted in Redis again.
        recovered: async () => {
          const client = `probe-${probe++}`;
          const r = await hit(server.port, client);
          return (
            r.status === 200 &&
            (await env.server.cli('EXISTS', `breakwater:rl:${name}:${client}`)) === '1'
          );
        },
      });
      timeline.stop();
      const up = expectAnsweredInTime(result.phase('up'), [200], expect, timeline.text);
      const outage = expectAnsweredInTime(
        [...result.phase('outage'), ...result.phase('recovering')],
        outageStatuses[onOutage],
        expect,
      );
      const after = expectAnsweredInTime(result.phase('after'), [200], expect, timeline.text);
      expect(up.count).toBeGreaterThan(10);
      expect(outage.count).toBeGreaterThan(50);
      expect(after.count).toBeGreaterThan(10);
      const stats = store.stats();
      expect(stats.degraded).toBeGreaterThan(0);
      if (onOutage === 'closed') expect(outage.byStatus[429]).toBeGreaterThan(0);
      if (onOutage === 'memory') {
        // 20 in-process hits per window, then the middleware's 429.
        expect(outage.byStatus[429]).toBeGreaterThan(0);
        expect(outage.byStatus[200]).toBeGreaterThanOrEqual(20);
      }
      // Operators see the outage on /metrics while it lasts, and every degraded answer is
      // counted there (the adapter's fallback counter), not only in the store's stats.
      expect(upDuring).toBe(0);
      expect(fallbacksDuring).toBeGreaterThan(0);
      expect(await server.fallbacks('rate-limiter.consume')).toBe(
        stats.degradedByOperation.consume,
      );
      console.log(
        `express-rate-limit ${fault} ${onOutage}: up ${JSON.stringify(up)} outage ${JSON.stringify(outage)} after ${JSON.stringify(after)} recovery ${Math.round(result.recoveryMs)} ms, degraded ${stats.degraded}, /metrics fallbacks during ${fallbacksDuring}`,
      );
    },
  );
});

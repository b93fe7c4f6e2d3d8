/**
 * The Fastify and NestJS examples started the way a user starts them, as child `node`
 * processes: `fastify/main.ts` through tsx, the NestJS one compiled by the workspace build
 * (`tsc -b`, decorator metadata) and run as `node dist/nestjs/main.js`. With Redis up they answer
 * from Redis; with nothing listening on the Redis port they start and answer degraded (200, the
 * fallbacks counted on /metrics); either way they exit 0 within 1 s of SIGTERM.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runNodeFile } from '../../test-support/node-script.js';
import { metricSum } from '../../test-support/prom-text.js';
import { freePort, startRedis, stopAllRedis } from '../../test-support/redis-server.js';
import type { RedisServer } from '../../test-support/redis-server.js';

/**
 * A hang guard, not a speed claim: loading the framework, the recipes and prom-client (tsx for
 * the Fastify one), then connect() settling by connectTimeout (2 s) with Redis down. About 2–3 s
 * idle; 9 s was seen at a load average of 14 on 2 cores.
 */
const START_MS = 15_000;
/** A degraded answer: the 200 ms deadline, plus a loaded 2-core machine. */
const DEGRADED_MS = 1_000;

let redis: RedisServer;
let downUrl: string;
beforeAll(async () => {
  redis = await startRedis();
  downUrl = `redis://127.0.0.1:${await freePort()}`;
  // The NestJS example runs compiled. Incremental: a no-op when `pnpm typecheck` ran first.
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  await promisify(execFile)(tsc, ['-b', 'examples/tsconfig.json'], { cwd: REPO_ROOT });
}, 120_000);
afterAll(() => stopAllRedis());

interface Example {
  name: string;
  file: string;
  tsx: boolean;
  cachePrefix: string;
  /** Whether /health says Redis is fine (true), degraded (false). */
  healthy(body: string): boolean;
}

const examples: Example[] = [
  {
    name: 'fastify',
    file: path.join(REPO_ROOT, 'examples', 'fastify', 'main.ts'),
    tsx: true,
    cachePrefix: 'example:fastify:cache:',
    healthy: (body) => JSON.parse(body).status === 'pass',
  },
  {
    name: 'nestjs',
    file: path.join(REPO_ROOT, 'examples', 'dist', 'nestjs', 'main.js'),
    tsx: false,
    cachePrefix: 'example:nest:cache:',
    // terminus: 'ok' either way; the indicator says whether Redis is degraded.
    healthy: (body) => JSON.parse(body).info.redis.degraded === false,
  },
];

async function get(
  url: string,
): Promise<{ status: number; headers: Headers; body: string; ms: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { status: res.status, headers: res.headers, body, ms: performance.now() - t };
}

for (const ex of examples) {
  describe(`examples/${ex.name} as a child node process`, () => {
    const ready = new RegExp(`${ex.name} example on (http://127\\.0\\.0\\.1:\\d+)`);
    const base = (stdout: string): string => ready.exec(stdout)?.[1] ?? '';

    it('Redis up: the cached read and the rate limiter go to Redis, health pass, exits 0 within 1 s of SIGTERM', async () => {
      const r = await runNodeFile(ex.file, {
        tsx: ex.tsx,
        env: { REDIS_URL: redis.url, PORT: String(await freePort()) },
        timeoutMs: START_MS + 15_000,
        sigtermWhen: ready,
        beforeSigterm: async (stdout) => {
          const url = base(stdout);
          const product = await get(`${url}/products/7`);
          expect(product.status).toBe(200);
          expect(JSON.parse(product.body)).toMatchObject({ product: { id: '7' } });
          expect(product.headers.get('x-ratelimit-limit')).toBe('1000');
          // The cache writes back in the background: the response does not wait for the SET.
          await expect
            .poll(() => redis.cli('EXISTS', `${ex.cachePrefix}product:7`), { timeout: 2000 })
            .toBe('1');
          const health = await get(`${url}/health`);
          expect(health.status).toBe(200);
          expect(ex.healthy(health.body)).toBe(true);
          const metrics = (await get(`${url}/metrics`)).body;
          expect(metricSum(metrics, 'redis_connection_up')).toBe(1);
          const consumed = { operation: 'rate-limiter.consume', result: 'success' };
          expect(metricSum(metrics, 'redis_operations_total', consumed)).toBeGreaterThan(0);
        },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Redis: REDIS_URL$/m);
      expect(r.msToMarker).toBeLessThan(START_MS);
      expect(r.msAfterSigterm).toBeLessThan(1_000);
      expect(r.code).toBe(0);
    });

    it('nothing listening on the Redis port: starts, answers degraded (200, counted), exits 0 within 1 s of SIGTERM', async () => {
      const r = await runNodeFile(ex.file, {
        tsx: ex.tsx,
        env: { REDIS_URL: downUrl, PORT: String(await freePort()) },
        timeoutMs: START_MS + 15_000,
        sigtermWhen: ready,
        beforeSigterm: async (stdout) => {
          const url = base(stdout);
          for (let i = 0; i < 5; i++) {
            const product = await get(`${url}/products/${i}`);
            expect(product.status).toBe(200);
            expect(product.ms).toBeLessThan(DEGRADED_MS);
            expect(JSON.parse(product.body)).toMatchObject({ product: { id: String(i) } });
          }
          const health = await get(`${url}/health`);
          expect(health.status).toBe(200); // degraded, not down: the service keeps its traffic
          expect(ex.healthy(health.body)).toBe(false);
          expect((await get(`${url}/up`)).status).toBe(200);
          const metrics = (await get(`${url}/metrics`)).body;
          expect(metricSum(metrics, 'redis_connection_up')).toBe(0);
          const fallback = { result: 'fallback' };
          expect(
            metricSum(metrics, 'redis_operations_total', { ...fallback, operation: 'cache.get' }),
          ).toBeGreaterThanOrEqual(5);
          expect(
            metricSum(metrics, 'redis_operations_total', {
              ...fallback,
              operation: 'rate-limiter.consume',
            }),
          ).toBeGreaterThanOrEqual(5);
        },
      });
      expect(r.stderr).toBe('');
      expect(r.msToMarker).toBeLessThan(START_MS);
      expect(r.msAfterSigterm).toBeLessThan(1_000);
      expect(r.code).toBe(0);
    });
  });
}

/**
 * `pnpm --filter @breakwater/examples fastify` — the Fastify example on PORT (default 3000).
 * Redis: REDIS_URL when set; otherwise its own redis-server on a free loopback port when one is
 * on PATH (stopped on exit); otherwise none (every Redis call takes its fallback). It never
 * falls back to 127.0.0.1:6379. Stop it with Ctrl-C or SIGTERM.
 */
import { pickRedis } from '../demo/pick-redis.js';
import { createFastifyService } from './create-fastify-service.js';

const redis = await pickRedis(process.env.REDIS_URL ? { url: process.env.REDIS_URL } : 'auto');
console.log(redis.mode === 'external' ? 'Redis: REDIS_URL' : redis.message);
const service = await createFastifyService({ redisUrl: redis.url });
await service.app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
const { port } = service.app.server.address() as { port: number };
const base = `http://127.0.0.1:${port}`;
console.log(`fastify example on ${base}
  curl ${base}/products/42
  curl -i ${base}/health
  curl ${base}/metrics | grep -E '^(circuit_breaker_state|redis_connection_up)'`);

const shutdown = (): void => {
  void service.close().finally(() => redis.server?.stop());
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

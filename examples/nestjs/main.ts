/**
 * The NestJS example on PORT (default 3000). Nest needs decorator metadata, which tsx/esbuild
 * does not emit, so it runs compiled: `pnpm build && pnpm --filter @breakwater/examples nestjs`
 * (`node dist/nestjs/main.js`). Redis: REDIS_URL when set; otherwise its own redis-server on a
 * free loopback port when one is on PATH (stopped on exit); otherwise none (every Redis call
 * takes its fallback). It never falls back to 127.0.0.1:6379. Stop it with Ctrl-C or SIGTERM.
 */
import { NestFactory } from '@nestjs/core';
import { pickRedis } from '../demo/pick-redis.js';
import { AppModule } from './app.module.js';

const redis = await pickRedis(process.env.REDIS_URL ? { url: process.env.REDIS_URL } : 'auto');
console.log(redis.mode === 'external' ? 'Redis: REDIS_URL' : redis.message);
const app = await NestFactory.create(AppModule.register({ redisUrl: redis.url }), {
  logger: ['error', 'warn'],
});
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
console.log(`nestjs example on ${base}
  curl ${base}/products/42
  curl -i ${base}/health
  curl ${base}/metrics | grep -E '^(circuit_breaker_state|redis_connection_up)'`);

// app.close() runs onModuleDestroy: the cache, the metrics listeners, then the adapter.
const shutdown = (): void => {
  void app.close().finally(() => redis.server?.stop());
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

/**
 * `pnpm --filter @breakwater/examples service` — the example service on PORT (default 3000).
 * Redis: REDIS_URL when set; otherwise its own redis-server on a free loopback port when one is
 * on PATH (stopped on exit); otherwise none (every Redis call takes its fallback). It never
 * falls back to 127.0.0.1:6379. Stop it with Ctrl-C or SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { pickRedis } from '../demo/pick-redis.js';
import { createService } from './create-service.js';

const redis = await pickRedis(process.env.REDIS_URL ? { url: process.env.REDIS_URL } : 'auto');
console.log(redis.mode === 'external' ? 'Redis: REDIS_URL' : redis.message);
const service = await createService({ redisUrl: redis.url });
const server = service.app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  console.log(`example service on ${base}
  curl ${base}/products/42
  curl -i ${base}/health
  curl ${base}/metrics | grep -E '^(circuit_breaker_state|redis_connection_up)'`);
});

const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  void service.close().finally(() => redis.server?.stop());
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

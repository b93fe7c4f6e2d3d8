/**
 * `pnpm --filter @breakwater/examples service` — the example service on PORT (default 3000)
 * against REDIS_URL (default redis://127.0.0.1:6379). Stop it with Ctrl-C.
 */
import type { AddressInfo } from 'node:net';
import { createService } from './create-service.js';

const service = await createService({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
});
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
  void service.close();
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

/**
 * `pnpm --filter @breakwater/examples upstream` — starts the fake pricing API and the quote
 * service on loopback and prints what to try. PORT sets the service port (default 3001).
 */
import type { AddressInfo } from 'node:net';
import { createQuoteService } from './quote-service.js';
import { startUpstream } from './upstream-server.js';

const upstream = await startUpstream();
const service = createQuoteService(upstream.url);
const server = service.app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  console.log(`quote service on ${base} (pricing API on ${upstream.url})
  curl ${base}/quote                     # fresh price (source: upstream)
  curl -X POST ${upstream.url}/mode/hang  # or fail, slow, ok
  curl ${base}/quote                     # last good price within 300 ms (source: fallback);
                                         # at once after 3 failures (breaker open)
  curl ${base}/metrics | grep circuit_breaker_state`);
});
service.breaker.on('stateChange', (e) => console.log(`breaker ${e.from} -> ${e.to} (${e.reason})`));

const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  service.close();
  void upstream.close();
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

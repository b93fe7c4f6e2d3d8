/**
 * The first reconnect after a drop is jittered (node-redis makes it immediate, so a fleet
 * reconnects in lockstep). 20 adapters on one server, all connections killed at once.
 */
import { afterAll, expect, it } from 'vitest';
import { createRedisAdapter } from '../src/index.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { waitUntil } from './load.js';

afterAll(stopAllRedis);

it('CLIENT KILL on 20 adapters: first reconnects spread over the jitter window', async () => {
  const server = await startRedis();
  const adapters = Array.from({ length: 20 }, () => createRedisAdapter({ url: server.url }));
  await Promise.all(adapters.map((a) => a.connect()));
  const delays: number[] = [];
  const readyAt: number[] = [];
  for (const a of adapters) {
    a.on('reconnecting', (e) => delays.push(e.delayMs));
    a.on('connectionState', (e) => e.to === 'ready' && readyAt.push(performance.now()));
  }
  const t0 = performance.now();
  await server.cli('CLIENT', 'KILL', 'TYPE', 'normal');
  expect(await waitUntil(() => readyAt.length === 20, 5000)).toBe(true);
  const offsets = readyAt.map((t) => t - t0).sort((x, y) => x - y);
  const spread = offsets[19]! - offsets[0]!;
  console.log('first reconnect', {
    delays: delays.map(Math.round).sort((x, y) => x - y),
    readyOffsets: offsets.map(Math.round),
    spreadMs: Math.round(spread),
  });
  expect(delays).toHaveLength(20); // one jittered attempt each, none immediate by design
  expect(Math.max(...delays)).toBeLessThanOrEqual(100); // attempt 0: full jitter below 100 ms
  expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(40);
  expect(spread).toBeGreaterThan(40);
  await Promise.all(adapters.map((a) => a.close()));
  await server.stop();
});

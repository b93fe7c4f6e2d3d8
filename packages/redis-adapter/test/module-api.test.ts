/** The drop-in module API (one adapter per process). */
import { afterAll, expect, it } from 'vitest';
import {
  closeRedis,
  executeRedisOperation,
  getRedisCircuitBreakerStats,
  getRedisClient,
  initializeRedis,
  isRedisAuthenticationError,
} from '../src/index.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';

afterAll(async () => {
  await closeRedis();
  await stopAllRedis();
});

it('initializeRedis / getRedisClient / executeRedisOperation / stats / closeRedis', async () => {
  // Before initialization: never throws, takes the fallback.
  expect(getRedisClient()).toBeNull();
  expect(getRedisCircuitBreakerStats()).toBeNull();
  expect(
    await executeRedisOperation(
      (c) => c.get('k'),
      (kind) => `fb:${kind}`,
      'get',
    ),
  ).toBe('fb:not-ready');

  const server = await startRedis();
  const [a, b] = await Promise.all([
    initializeRedis({ url: server.url }),
    initializeRedis({ url: server.url }),
  ]);
  expect(a).toBe(b); // one adapter per process
  expect(getRedisClient()).toBe(a.client);
  const ops: string[] = [];
  const reports: string[] = [];
  a.on('operation', (e) => ops.push(`${e.operation}:${e.result}`));
  a.on('report', (r) => reports.push(r.message));
  expect(
    await executeRedisOperation(
      (c) => c.set('k', 'v'),
      () => null,
      'set',
    ),
  ).toBe('OK');
  expect(
    await executeRedisOperation(
      (c) => c.get('k'),
      () => null,
      'get',
    ),
  ).toBe('v');
  expect(getRedisCircuitBreakerStats()).toMatchObject({ state: 'closed', successCount: 2 });
  await expect(
    executeRedisOperation(
      (c) => c.lPush('k', 'x'),
      () => null,
      'lpush',
    ),
  ).rejects.toThrow(/WRONGTYPE/);
  expect(ops).toEqual(['set:success', 'get:success', 'lpush:error']);
  expect(reports).toEqual([
    '[lpush] Redis error: data: WRONGTYPE Operation against a key holding the wrong kind of value',
  ]);
  expect(a.health()).toMatchObject({ status: 'pass', connection: 'ready', lastError: null });

  await closeRedis();
  expect(getRedisClient()).toBeNull();
  expect(a.connectionState).toBe('closed');

  // A permanent failure rejects and leaves nothing initialized.
  const locked = await startRedis({ password: 'pw' });
  await expect(initializeRedis({ url: locked.url })).rejects.toSatisfy(isRedisAuthenticationError);
  expect(getRedisClient()).toBeNull();
  await server.stop();
  await locked.stop();
});

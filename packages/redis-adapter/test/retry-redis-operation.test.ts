/**
 * retryRedisOperation against a real redis-server: a connection killed under a blocked command
 * (CLIENT KILL while BLPOP waits) fails that attempt with `connection`; the retry runs on the
 * new connection and returns the value. Without a retry the same fault takes the fallback. The
 * retry is drawn from a shared RetryBudget.
 */
import { RetryBudget, constantBackoff } from '@breakwater/breaker';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisAdapter, retryRedisOperation, type RedisFailureKind } from '../src/index.js';
import { startRedis, stopAllRedis, type RedisServer } from '../../../test-support/redis-server.js';
import { sleep } from './load.js';

afterAll(stopAllRedis);

/** BLPOP list 2: blocks until something is pushed (or 2 s pass). */
const blpop =
  (list: string) =>
  (client: { sendCommand(args: string[]): Promise<unknown> }): Promise<unknown> =>
    client.sendCommand(['BLPOP', list, '2']);

/** Waits until the adapter's BLPOP is blocked, kills its connection, then pushes a value. */
async function killWhileBlocked(server: RedisServer, list: string): Promise<void> {
  // Polls (no fixed sleep): the adapter's command is blocked once INFO counts a blocked client.
  for (let i = 0; Number(blockedOf(await server.cli('INFO', 'clients'))) < 1; i++) {
    if (i > 200) throw new Error('the BLPOP never blocked');
    await sleep(25);
  }
  await server.cli('CLIENT', 'KILL', 'TYPE', 'normal');
  await server.cli('RPUSH', list, 'x');
}

const blockedOf = (info: string): string => /blocked_clients:(\d+)/.exec(info)?.[1] ?? '0';

describe('retryRedisOperation (real redis-server)', () => {
  it('a connection killed under a command: the retry returns the value; without it, the fallback', async () => {
    const server = await startRedis();
    const adapter = createRedisAdapter({ url: server.url, operationTimeout: 3000 });
    await adapter.connect();
    try {
      const fb = (kind: RedisFailureKind): string => `fallback:${kind}`;

      // Without a retry.
      const plain = adapter.executeRedisOperation(blpop('plain'), fb, 'blpop');
      await killWhileBlocked(server, 'plain');
      expect(await plain).toBe('fallback:connection');

      // With a retry, drawn from a shared budget.
      const budget = new RetryBudget({ minRetriesPerSecond: 1 });
      const retried = retryRedisOperation(adapter, blpop('retried'), fb, 'blpop', {
        attempts: 2,
        backoff: constantBackoff(20),
        timeout: 4000,
        budget,
      });
      await killWhileBlocked(server, 'retried');
      expect(await retried).toEqual(['retried', 'x']);
      expect(budget.getStats()).toMatchObject({
        requests: 1,
        retriesAllowed: 1,
        retriesRefused: 0,
      });
    } finally {
      await adapter.close();
    }
  });
});

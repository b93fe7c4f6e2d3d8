/**
 * One corrupted reply under load, single server: a proxy in front of a real redis-server
 * replaces one reply chunk with non-RESP bytes while 40 loops GET distinct keys. node-redis 6.3
 * reset its decoder but kept its queue of in-flight commands, so without the adapter's handling
 * every later reply was matched to the wrong command (measured: ~1,000 wrong values per
 * corruption); node-redis 6.4 fails the connection itself, and the adapter drops an ioredis
 * connection whose decoder failed. Asserted over 5 corruptions, once per client: no wrong value,
 * the connection replaced, right values again within a second, no call rejected (the cut-off
 * calls fall back as `connection`), one connection report per corruption naming the decoder
 * error, no unhandled rejection.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCorruptingProxy } from '../../../test-support/corrupting-proxy.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import type { RedisErrorReport } from '../src/index.js';
import { CLIENTS } from './clients.js';
import {
  DrillLoad,
  corruptRepeatedly,
  drillKey,
  drillValue,
  type DrillGet,
} from './corruption-load.js';

afterAll(stopAllRedis);

const KEYS = 40;
const CORRUPTIONS = 5;

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe.each(CLIENTS)(
  'a corrupted reply on a single-server connection ($name)',
  ({ create, name }) => {
    it('never hands a caller another command’s reply; the connection is replaced', async () => {
      const server = await startRedis();
      for (let i = 0; i < KEYS; i++) await server.cli('SET', drillKey(i), drillValue(i));
      const proxy = await startCorruptingProxy(server.port);
      const reports: RedisErrorReport[] = [];
      const adapter = create({
        url: `redis://127.0.0.1:${proxy.port}`,
        operationTimeout: 500,
        reportInterval: 0,
        reporter: (r) => reports.push(r),
      });
      const states: string[] = [];
      adapter.on('connectionState', (e) => states.push(e.to));
      await adapter.connect();
      const get: DrillGet = (key) =>
        adapter.executeRedisOperation(
          (c) => c.get(key),
          (kind) => ({ fallback: kind }),
          'get',
        );
      const load = new DrillLoad(get, KEYS);
      load.start();
      try {
        const outcomes = await corruptRepeatedly(proxy, load, CORRUPTIONS);
        await load.stop();
        console.log(`${name} single server, corrupted reply`, {
          outcomes: JSON.stringify(outcomes),
          calls: load.calls.length,
          wrong: load.count('wrong'),
          errors: load.count('error'),
          fallbacks: load.count('fallback'),
        });
        expect(load.calls.filter((c) => c.result === 'wrong').slice(0, 5)).toEqual([]);
        expect(load.calls.filter((c) => c.result === 'error').slice(0, 5)).toEqual([]);
        for (const o of outcomes) {
          expect(o.newConnections).toBeGreaterThanOrEqual(1);
          expect(o.backAfterMs).toBeLessThan(1000);
        }
        expect(proxy.corruptions).toBe(CORRUPTIONS);
        const dropped = reports.filter(
          (r) => r.operation === 'connection' && /Unknown RESP type/.test(r.message),
        );
        expect(dropped.length).toBe(CORRUPTIONS);
        expect(dropped[0]!.kind).toBe('connection');
        expect(unhandled).toEqual([]);
      } finally {
        await load.stop();
        await adapter.close();
        await proxy.close();
      }
    });
  },
);

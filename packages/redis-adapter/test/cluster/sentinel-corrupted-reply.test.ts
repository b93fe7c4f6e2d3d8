/**
 * One corrupted reply under load on a Sentinel-managed master connection: the sentinel monitors
 * the master through a corrupting proxy (so the master address node-redis is given is the
 * proxy's), and the proxy replaces one GET reply chunk at a time with non-RESP bytes.
 * Asserted over 5 corruptions: no caller receives another key's value, the master connection is
 * replaced, right values again within a second, no rejected call, no unhandled rejection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startCorruptingProxy,
  type CorruptingProxy,
} from '../../../../test-support/corrupting-proxy.js';
import {
  freePort,
  startRedis,
  stopAllRedis,
  type RedisServer,
} from '../../../../test-support/redis-server.js';
import { createRedisSentinelAdapter } from '../../src/cluster/index.js';
import type { RedisErrorReport } from '../../src/types.js';
import {
  DrillLoad,
  corruptRepeatedly,
  drillKey,
  drillValue,
  type DrillGet,
} from '../corruption-load.js';
import { TEST_TIMINGS } from './load.js';

const KEYS = 40;
const CORRUPTIONS = 5;
const NAME = 'corrupt';

let master: RedisServer;
let sentinel: RedisServer;
let proxy: CorruptingProxy;

beforeAll(async () => {
  master = await startRedis();
  for (let i = 0; i < KEYS; i++) await master.cli('SET', drillKey(i), drillValue(i));
  proxy = await startCorruptingProxy(master.port);
  const conf = [
    `sentinel monitor ${NAME} 127.0.0.1 ${proxy.port} 1`,
    `sentinel down-after-milliseconds ${NAME} 5000`,
    '',
  ].join('\n');
  sentinel = await startRedis({ port: await freePort(), sentinel: true, configFile: conf });
  // the sentinel has seen the master (through the proxy) and considers it up
  const deadline = performance.now() + 15_000;
  let flags = '';
  while (performance.now() < deadline) {
    const out = await sentinel.cli('SENTINEL', 'MASTER', NAME);
    const lines = out.split('\n');
    flags = lines[lines.indexOf('flags') + 1] ?? '';
    const lastOk = Number(lines[lines.indexOf('last-ok-ping-reply') + 1]);
    if (flags === 'master' && lastOk < 1000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(flags).toBe('master');
});

afterAll(async () => {
  await proxy?.close();
  await stopAllRedis();
});

describe('a corrupted reply on a Sentinel master connection', () => {
  it('never hands a caller another key’s value; the master connection is replaced', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    const reports: RedisErrorReport[] = [];
    const adapter = createRedisSentinelAdapter({
      sentinel: { name: NAME, sentinelRootNodes: [{ host: '127.0.0.1', port: sentinel.port }] },
      operationTimeout: 500,
      ...TEST_TIMINGS,
      reportInterval: 0,
      reporter: (r) => reports.push(r),
    });
    const states: string[] = [];
    let last = 0;
    adapter.on('connectionState', (e) => {
      states.push(`${e.to}(+${Math.round(e.at - last)})`);
      last = e.at;
    });
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
      console.log('sentinel master, corrupted reply', {
        outcomes: JSON.stringify(outcomes),
        calls: load.calls.length,
        wrong: load.count('wrong'),
        errors: load.count('error'),
        fallbacks: load.count('fallback'),
        states: states.join(' '),
      });
      expect(load.calls.filter((c) => c.result === 'wrong').slice(0, 5)).toEqual([]);
      expect(load.calls.filter((c) => c.result === 'error').slice(0, 5)).toEqual([]);
      for (const o of outcomes) {
        expect(o.newConnections).toBeGreaterThanOrEqual(1);
        expect(o.backAfterMs).toBeLessThan(1000);
      }
      const dropped = reports.filter((r) => r.message.includes('could not be decoded'));
      expect(dropped.length).toBe(CORRUPTIONS);
      expect(dropped[0]!.kind).toBe('connection');
      expect(dropped[0]!.message).toContain(`master client 127.0.0.1:${proxy.port}`);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await load.stop();
      await adapter.close();
    }
  });
});

/**
 * One corrupted reply under load on a Cluster node connection, once per Cluster client: one
 * master announces a corrupting proxy as its client port (`cluster-announce-port`), so the
 * client's connection to that node goes through it; the proxy replaces one GET reply chunk at a
 * time with non-RESP bytes. Asserted over 5 corruptions: no caller receives another key's value,
 * that node's connection is replaced, right values again within a second, no rejected call, one
 * connection report per corruption naming the node (node-redis: the adapter drops the node's
 * client) or the decoder error (ioredis drops the connection itself), no unhandled rejection.
 */
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../../test-support/cluster.js';
import {
  startCorruptingProxy,
  type CorruptingProxy,
} from '../../../../test-support/corrupting-proxy.js';
import { stopAllRedis, type RedisServer } from '../../../../test-support/redis-server.js';
import type { RedisErrorReport } from '../../src/types.js';
import {
  DrillLoad,
  corruptRepeatedly,
  drillKey,
  drillValue,
  type DrillGet,
} from '../corruption-load.js';
import { CLUSTER_CLIENTS } from './cluster-clients.js';
import { TEST_TIMINGS } from './load.js';

const KEYS = 40;
const CORRUPTIONS = 5;

let cluster: RedisClusterHandle;
let proxied: RedisServer;
let proxy: CorruptingProxy;

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 0 });
  proxied = await cluster.masterForKey(drillKey(0));
  const writer = createCluster({ rootNodes: cluster.rootNodes });
  writer.on('error', () => {});
  await writer.connect();
  for (let i = 0; i < KEYS; i++) await writer.set(drillKey(i), drillValue(i));
  await writer.close();
  proxy = await startCorruptingProxy(proxied.port);
  await proxied.cli('CONFIG', 'SET', 'cluster-announce-port', String(proxy.port));
  // every node announces the proxy as that master's address before the adapter discovers
  const port = String(proxy.port);
  let views: string[] = [];
  const announced = await waitForAsync(async () => {
    views = await Promise.all(cluster.nodes.map((n) => n.cli('CLUSTER', 'SLOTS')));
    return views.every((v) => v.split('\n').includes(port));
  }, 15_000);
  expect(announced, views.join('\n---\n')).toBe(true);
});

async function waitForAsync(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
  await stopAllRedis();
});

describe.each(CLUSTER_CLIENTS)(
  'a corrupted reply on a Cluster node connection ($name)',
  ({ create, name }) => {
    it('never hands a caller another key’s value; that node’s connection is replaced', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      const reports: RedisErrorReport[] = [];
      const adapter = create({
        rootNodes: cluster.rootNodes.filter((n) => !n.url.endsWith(`:${proxied.port}`)),
        operationTimeout: 500,
        ...TEST_TIMINGS,
        reportInterval: 0,
        reporter: (r) => reports.push(r),
      });
      await adapter.connect();
      const get: DrillGet = (key) =>
        adapter.executeRedisOperation(
          (c) => c.get(key),
          (kind) => ({ fallback: kind }),
          'get',
          { key },
        );
      const load = new DrillLoad(get, KEYS);
      load.start();
      try {
        const address = `127.0.0.1:${proxy.port}`;
        expect(adapter.masterOf(drillKey(0))).toBe(address);
        const onProxiedNode = (i: number): boolean => adapter.masterOf(drillKey(i)) === address;
        const outcomes = await corruptRepeatedly(proxy, load, CORRUPTIONS, onProxiedNode);
        await load.stop();
        console.log(`${name} cluster node, corrupted reply`, {
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
        // one connection report per corruption naming the decoder error (node-redis: the adapter
        // dropped the node's client; ioredis dropped the connection itself)
        const dropped = reports.filter(
          (r) => r.operation === 'connection' && /Unknown RESP type/.test(r.message),
        );
        expect(dropped.length).toBe(CORRUPTIONS);
        expect(dropped[0]!.kind).toBe('connection');
        if (name === 'node-redis') {
          expect(dropped[0]!.message).toContain(`node 127.0.0.1:${proxy.port}`);
        }
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        await load.stop();
        await adapter.close();
      }
    });
  },
);

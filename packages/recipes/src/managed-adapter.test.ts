import {
  createRedisAdapter,
  createRedisClusterAdapter,
  createRedisSentinelAdapter,
} from '@breakwater/redis-adapter';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { managedAdapterFrom } from './managed-adapter.js';
import type { ManagedRedisAdapter } from './managed-adapter.js';

describe('managedAdapterFrom (the adapter-or-redis rule of the framework integrations)', () => {
  it('is satisfied by the single-server, Cluster and Sentinel adapters, handed back as given', async () => {
    const single = createRedisAdapter({ url: 'redis://127.0.0.1:1', reporter: () => {} });
    const cluster = createRedisClusterAdapter({
      rootNodes: [{ url: 'redis://127.0.0.1:1' }],
      reporter: () => {},
    });
    const sentinel = createRedisSentinelAdapter({
      sentinel: { name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }] },
      reporter: () => {},
    });
    expectTypeOf(single).toExtend<ManagedRedisAdapter>();
    expectTypeOf(cluster).toExtend<ManagedRedisAdapter>();
    expectTypeOf(sentinel).toExtend<ManagedRedisAdapter>();
    for (const adapter of [single, cluster, sentinel]) {
      // Not connected by the helper: the caller owns the adapter it passed.
      const before = adapter.connectionState;
      expect(await managedAdapterFrom('test', { adapter })()).toBe(adapter);
      expect(adapter.connectionState).toBe(before);
    }
    await Promise.all([single.close(), cluster.close(), sentinel.close()]);
  });

  it('rejects both adapter and redis, and a non-adapter, naming the caller', () => {
    const adapter = createRedisAdapter({ url: 'redis://127.0.0.1:1', reporter: () => {} });
    expect(() => managedAdapterFrom('@breakwater/x', { adapter, redis: {} })).toThrow(
      new TypeError('@breakwater/x: give adapter or redis, not both'),
    );
    for (const bad of [{}, null, 'redis://127.0.0.1:1', { executeRedisOperation() {} }]) {
      expect(() =>
        managedAdapterFrom('Where', { adapter: bad as unknown as ManagedRedisAdapter }),
      ).toThrow(new TypeError('Where: adapter must be a breakwater Redis adapter'));
    }
  });
});

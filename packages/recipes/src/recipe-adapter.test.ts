import {
  createRedisAdapter,
  createRedisClusterAdapter,
  createRedisSentinelAdapter,
} from '@breakwater/redis-adapter';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { RecipeAdapter } from './recipe-adapter.js';

describe('RecipeAdapter', () => {
  it('is satisfied by the single-server, Cluster and Sentinel adapters (checked by tsc)', async () => {
    const single = createRedisAdapter({ url: 'redis://127.0.0.1:1', reporter: () => {} });
    const cluster = createRedisClusterAdapter({
      rootNodes: [{ url: 'redis://127.0.0.1:1' }],
      reporter: () => {},
    });
    const sentinel = createRedisSentinelAdapter({
      sentinel: { name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }] },
      reporter: () => {},
    });
    expectTypeOf(single).toExtend<RecipeAdapter>();
    expectTypeOf(cluster).toExtend<RecipeAdapter>();
    expectTypeOf(sentinel).toExtend<RecipeAdapter>();
    const adapters: RecipeAdapter[] = [single, cluster, sentinel];
    expect(adapters.map((a) => a.topology)).toEqual(['single', 'cluster', 'sentinel']);
    await Promise.all([single.close(), cluster.close(), sentinel.close()]);
  });
});

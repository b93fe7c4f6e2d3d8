import {
  createRedisAdapter,
  createRedisClusterAdapter,
  createRedisSentinelAdapter,
} from '@breakwater/redis-adapter';
import { describe, expect, it } from 'vitest';
import { BreakwaterRateLimitStore } from './express-rate-limit/index.js';
import { BreakwaterSessionStore } from './express-session/index.js';
import { BreakwaterKeyv6Store, BreakwaterKeyvStore } from './keyv/index.js';

describe('framework integrations', () => {
  it('accept the single-server, Cluster and Sentinel adapters (checked by tsc)', async () => {
    const adapters = [
      createRedisAdapter({ url: 'redis://127.0.0.1:1', reporter: () => {} }),
      createRedisClusterAdapter({
        rootNodes: [{ url: 'redis://127.0.0.1:1' }],
        reporter: () => {},
      }),
      createRedisSentinelAdapter({
        sentinel: { name: 'mymaster', sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }] },
        reporter: () => {},
      }),
    ] as const;
    for (const adapter of adapters) {
      expect(new BreakwaterRateLimitStore(adapter, { onOutage: 'open' }).localKeys).toBe(false);
      expect(new BreakwaterKeyvStore(adapter).opts).toEqual({});
      expect(new BreakwaterKeyv6Store(adapter).capabilities.expires).toBe(true);
      expect(new BreakwaterSessionStore(adapter)).toBeInstanceOf(BreakwaterSessionStore);
    }
    await Promise.all(adapters.map((a) => a.close()));
  });
});

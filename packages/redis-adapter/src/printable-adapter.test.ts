import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisAdapter } from './create-redis-adapter.js';
import { createIoredisAdapter } from './ioredis/create-ioredis-adapter.js';
import { createRedisClusterAdapter } from './cluster/create-redis-cluster-adapter.js';
import { createRedisSentinelAdapter } from './cluster/create-redis-sentinel-adapter.js';

const SECRET = 'hunter2-pass';
const SENTINEL_SECRET = 'sentinel-pass-9';

const made: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const a of made.splice(0)) await a.close();
});

const factories = {
  'node-redis url': () => createRedisAdapter({ url: `redis://user:${SECRET}@127.0.0.1:1/0` }),
  'node-redis password': () => createRedisAdapter({ port: 1, password: SECRET }),
  ioredis: () => createIoredisAdapter({ url: `redis://:${SECRET}@127.0.0.1:1` }),
  cluster: () =>
    createRedisClusterAdapter({ rootNodes: [`redis://:${SECRET}@127.0.0.1:1`, '127.0.0.1:2'] }),
  sentinel: () =>
    createRedisSentinelAdapter({
      password: SECRET,
      sentinel: { name: 'm', sentinelRootNodes: ['127.0.0.1:1'], password: SENTINEL_SECRET },
    }),
};

describe('a printed or logged adapter holds no secret', () => {
  it.each(Object.keys(factories))('%s', (which) => {
    const adapter = factories[which as keyof typeof factories]();
    made.push(adapter);
    const printed = [
      inspect(adapter, { depth: Infinity, showHidden: true }),
      inspect({ service: { redis: adapter } }, { depth: Infinity }),
      JSON.stringify({ redis: adapter }),
    ];
    for (const text of printed) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SENTINEL_SECRET);
      expect(text).toContain(adapter.name); // still says which adapter it is
    }
    expect(JSON.parse(printed[2]!)).toMatchObject({
      redis: { name: adapter.name, topology: adapter.topology },
    });
  });
});

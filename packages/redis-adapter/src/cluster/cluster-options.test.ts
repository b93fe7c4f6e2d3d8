import { constantBackoff } from '@breakwater/breaker';
import { SimpleError } from 'redis';
import { describe, expect, it } from 'vitest';
import { isRedisAuthenticationError, isRedisConfigError, isRedisTlsError } from '../errors.js';
import { resolveRedisClusterAdapterOptions } from './cluster-options.js';
import { buildClusterOptions } from './create-redis-cluster-adapter.js';
import { buildSentinelOptions } from './create-redis-sentinel-adapter.js';
import {
  createAnyRedisAdapterFromEnv,
  redisClusterOptionsFromEnv,
  redisSentinelOptionsFromEnv,
} from './create-from-env.js';
import { createNodeReconnectStrategy } from './node-client-options.js';
import { RedisClusterAdapter } from './redis-cluster-adapter.js';
import { RedisSentinelAdapter } from './redis-sentinel-adapter.js';
import { resolveRedisSentinelAdapterOptions } from './sentinel-options.js';

const seeds = ['127.0.0.1:7000', '127.0.0.1:7001'];

/** Option bags read back in assertions. */
interface Bag {
  [key: string]: unknown;
  socket: Record<string, unknown>;
}
const bag = (v: unknown): Bag => v as Bag;

describe('resolveRedisClusterAdapterOptions', () => {
  it('applies the shared defaults and the cluster defaults', () => {
    const r = resolveRedisClusterAdapterOptions({ rootNodes: seeds });
    expect(r.base.name).toBe('redis-cluster');
    expect(r.base.operationTimeout).toBe(1000);
    expect(r.breakerScope).toBe('shard');
    expect(r.topologyRefreshDelay).toBe(1000);
    expect(r.rootNodes).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
    ]);
  });

  it('accepts strings, { url } and { host, port } seeds; URL credentials and TLS apply to all nodes', () => {
    const options = {
      rootNodes: [
        { url: 'rediss://app:s3cret@a.example:7000' },
        { host: 'b.example', port: 7001 },
        'c.example:7002',
      ],
    };
    const copy = structuredClone(options);
    const r = resolveRedisClusterAdapterOptions(options);
    expect(options).toEqual(copy); // not mutated
    expect(r.base.username).toBe('app');
    expect(r.base.password).toBe('s3cret');
    expect(r.base.secrets).toContain('s3cret');
    expect(r.base.tls).toBeDefined();
    // no server name derived from the first seed: every node has its own host
    expect(r.base.tls?.servername).toBeUndefined();
    expect(
      resolveRedisClusterAdapterOptions({ rootNodes: seeds, tls: { servername: 'redis.example' } })
        .base.tls?.servername,
    ).toBe('redis.example');
    // explicit options win over URL credentials
    expect(
      resolveRedisClusterAdapterOptions({ rootNodes: ['redis://:a@h:1'], password: 'b' }).base
        .password,
    ).toBe('b');
  });

  it.each([
    [
      { rootNodes: [] },
      TypeError,
      /createRedisClusterAdapter: rootNodes must be a non-empty array/,
    ],
    [{ rootNodes: 'h:1' }, TypeError, /rootNodes must be a non-empty array/],
    [{ rootNodes: [42] }, TypeError, /rootNodes\[0\] must be/],
    [{ rootNodes: ['h:99999'] }, RangeError, /rootNodes\[0\]: invalid entry "h:99999": port/],
    [
      { rootNodes: ['redis://h:1', 'rediss://h:2'] },
      RangeError,
      /mixes redis:\/\/ and rediss:\/\//,
    ],
    [{ rootNodes: ['redis://h:1/2'] }, RangeError, /database "2"; a cluster has only database 0/],
    [{ rootNodes: seeds, url: 'redis://h' }, TypeError, /unknown option "url"/],
    [{ rootNodes: seeds, database: 1 }, TypeError, /unknown option "database"/],
    [
      { rootNodes: seeds, bogus: 1 },
      TypeError,
      /createRedisClusterAdapter: unknown option "bogus"/,
    ],
    [
      { rootNodes: seeds, breakerScope: 'node' },
      RangeError,
      /breakerScope must be 'shard' or 'cluster', got "node"/,
    ],
    [{ rootNodes: seeds, topologyRefreshDelay: 0 }, RangeError, /topologyRefreshDelay .* got 0/],
    [
      { rootNodes: seeds, topologyRefreshDelay: NaN },
      RangeError,
      /topologyRefreshDelay .* got NaN/,
    ],
    [{ rootNodes: seeds, useReplicas: 'yes' }, TypeError, /useReplicas must be a boolean/],
    [{ rootNodes: seeds, maxCommandRedirections: -1 }, RangeError, /maxCommandRedirections/],
    [
      { rootNodes: seeds, operationTimeout: -5 },
      RangeError,
      /createRedisClusterAdapter: operationTimeout .* got -5/,
    ],
    [{ rootNodes: ['rediss://h:1'], tls: false }, RangeError, /tls is false but/],
  ])('rejects %j', (options, type, re) => {
    expect(() => resolveRedisClusterAdapterOptions(options as never)).toThrow(type);
    expect(() => resolveRedisClusterAdapterOptions(options as never)).toThrow(re);
  });

  it('never shows a password in an error', () => {
    for (const rootNodes of [
      ['redis://u:hunter2@h:1', 'redis://u:other@h:2'],
      ['redis://u:hunter2@h:1/5'],
      ['redis://u:hunter2@h:1', 'rediss://u:hunter2@h:2'],
    ]) {
      let message = '';
      try {
        resolveRedisClusterAdapterOptions({ rootNodes });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/createRedisClusterAdapter/);
      expect(message).not.toMatch(/hunter2|other/);
    }
  });
});

describe('buildClusterOptions', () => {
  it('puts every resilience setting in `defaults`; rootNodes get addresses and the connect deadline', () => {
    const r = resolveRedisClusterAdapterOptions({
      rootNodes: ['rediss://u:pw@h:7000'],
      tls: { ca: 'CA', servername: 'redis.example' },
      pingInterval: 4000,
      socketTimeout: 9000,
      connectTimeout: 1500,
      keepAliveInitialDelay: 5000,
      RESP: 2,
      topologyRefreshDelay: 750,
    });
    const o = buildClusterOptions(r) as unknown as Record<string, unknown>;
    // A seed client lives for one discovery: connectTimeout bounds it even when frozen.
    expect(o.rootNodes).toEqual([{ socket: { host: 'h', port: 7000, socketTimeout: 1500 } }]);
    expect(o.minimizeConnections).toBe(true);
    expect(o.topologyRefreshOnReconnectionAttemptStrategy).toBe(750);
    expect(o.RESP).toBe(2);
    expect(o.commandOptions).toEqual({ timeout: 0 });
    const d = bag(o.defaults);
    expect(d.username).toBe('u');
    expect(d.password).toBe('pw');
    expect(d.disableOfflineQueue).toBe(true);
    expect(d.pingInterval).toBe(4000);
    expect(d.RESP).toBe(2);
    expect(d.database).toBeUndefined();
    expect(d.socket).toMatchObject({
      tls: true,
      ca: 'CA',
      servername: 'redis.example',
      connectTimeout: 1500,
      socketTimeout: 9000,
      keepAlive: true,
      keepAliveInitialDelay: 5000,
    });
    expect(d.socket.host).toBeUndefined();
    expect(d.socket.port).toBeUndefined();
    expect(typeof d.socket.reconnectStrategy).toBe('function');
  });
});

describe('createNodeReconnectStrategy', () => {
  it('retries transient causes with the backoff and stops on permanent ones with a typed error', () => {
    const s = createNodeReconnectStrategy(constantBackoff(123));
    expect(s(0, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      123,
    );
    expect(s(50, new Error('Socket closed unexpectedly'))).toBe(123);
    const auth = s(1, new SimpleError('WRONGPASS invalid username-password pair'));
    expect(isRedisAuthenticationError(auth)).toBe(true);
    const tls = s(
      1,
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    );
    expect(isRedisTlsError(tls)).toBe(true);
    const broken = createNodeReconnectStrategy({ delay: () => NaN });
    expect(broken(0, new Error('x'))).toBe(1000);
  });
});

describe('Sentinel options', () => {
  const sentinel = {
    name: 'mymaster',
    sentinelRootNodes: ['127.0.0.1:26379', { host: '127.0.0.1', port: 26380 }],
  };

  it('resolves and builds node and sentinel client options separately', () => {
    const r = resolveRedisSentinelAdapterOptions({
      sentinel: { ...sentinel, password: 'sentinel-pw' },
      password: 'data-pw',
      database: 2,
    });
    expect(r.base.name).toBe('redis-sentinel');
    expect(r.scanInterval).toBe(2000);
    expect(r.base.secrets).toEqual(expect.arrayContaining(['data-pw', 'sentinel-pw']));
    const o = buildSentinelOptions(r) as unknown as Record<string, unknown>;
    expect(o.name).toBe('mymaster');
    expect(o.sentinelRootNodes).toEqual([
      { host: '127.0.0.1', port: 26379 },
      { host: '127.0.0.1', port: 26380 },
    ]);
    expect(o.scanInterval).toBe(2000);
    expect(o.passthroughClientErrorEvents).toBe(true);
    expect(o.nodeClientOptions).toMatchObject({
      password: 'data-pw',
      database: 2,
      disableOfflineQueue: true,
    });
    expect(typeof bag(o.nodeClientOptions).socket.reconnectStrategy).toBe('function');
    expect(bag(o.nodeClientOptions).socket.host).toBeUndefined();
    expect(bag(o.sentinelClientOptions).password).toBe('sentinel-pw');
    expect(bag(o.sentinelClientOptions).database).toBeUndefined();
  });

  it.each([
    [{}, TypeError, /sentinel must be an object/],
    [{ sentinel: { ...sentinel, name: '' } }, RangeError, /sentinel.name must be/],
    [{ sentinel: { ...sentinel, name: 'a b' } }, RangeError, /sentinel.name/],
    [
      { sentinel: { ...sentinel, sentinelRootNodes: [] } },
      TypeError,
      /sentinel.sentinelRootNodes must be a non-empty array/,
    ],
    [
      { sentinel: { ...sentinel, sentinelRootNodes: ['redis://h:1'] } },
      RangeError,
      /expected host:port/,
    ],
    [
      { sentinel: { ...sentinel, scanInterval: 10 } },
      RangeError,
      /sentinel.scanInterval .* got 10/,
    ],
    [{ sentinel: { ...sentinel, extra: 1 } }, TypeError, /unknown option "sentinel.extra"/],
    [{ sentinel, host: 'h' }, TypeError, /unknown option "host"/],
    [{ sentinel, reconnectGrace: -1 }, RangeError, /createRedisSentinelAdapter: reconnectGrace/],
  ])('rejects %j', (options, type, re) => {
    expect(() => resolveRedisSentinelAdapterOptions(options as never)).toThrow(type);
    expect(() => resolveRedisSentinelAdapterOptions(options as never)).toThrow(re);
  });
});

describe('options from the environment', () => {
  it('combines the topology with the shared variables', () => {
    const o = redisClusterOptionsFromEnv({
      REDIS_CLUSTER_NODES: 'rediss://:pw@a:7000,b:7001',
      REDIS_OPERATION_TIMEOUT: '250',
      REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD: '7',
    });
    expect(o).toMatchObject({
      rootNodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      password: 'pw',
      tls: true,
      operationTimeout: 250,
      breaker: { failureThreshold: 7 },
    });
    const s = redisSentinelOptionsFromEnv({
      REDIS_SENTINELS: 's:26379',
      REDIS_SENTINEL_NAME: 'm',
      REDIS_PASSWORD: 'data',
      REDIS_SENTINEL_PASSWORD: 'sent',
      REDIS_DB: '3',
    });
    expect(s).toMatchObject({
      password: 'data',
      database: 3,
      sentinel: { name: 'm', sentinelRootNodes: [{ host: 's', port: 26379 }], password: 'sent' },
    });
  });

  it('names the variable of a bad value', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_DB: '3' }, 'REDIS_DB'],
      [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_OPERATION_TIMEOUT: 'soon' }, 'REDIS_OPERATION_TIMEOUT'],
      [{ REDIS_CLUSTER_NODES: 'rediss://a:1', REDIS_TLS: 'false' }, 'REDIS_TLS'],
      [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_PORT: '6380' }, 'REDIS_CLUSTER_NODES'],
      [{}, 'REDIS_CLUSTER_NODES'],
    ];
    for (const [env, variable] of cases) {
      let err: unknown;
      try {
        redisClusterOptionsFromEnv(env);
      } catch (e) {
        err = e;
      }
      expect(isRedisConfigError(err)).toBe(true);
      expect((err as { variable: string }).variable).toBe(variable);
      expect((err as Error).message).toContain(variable);
    }
    expect(() => redisSentinelOptionsFromEnv({ REDIS_CLUSTER_NODES: 'a:1' })).toThrow(
      /REDIS_SENTINELS/,
    );
  });

  it('createAnyRedisAdapterFromEnv picks the adapter the environment describes', async () => {
    const c = createAnyRedisAdapterFromEnv({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' });
    const s = createAnyRedisAdapterFromEnv({
      REDIS_SENTINELS: '127.0.0.1:26379',
      REDIS_SENTINEL_NAME: 'm',
    });
    const single = createAnyRedisAdapterFromEnv(
      { REDIS_URL: 'redis://127.0.0.1:6390' },
      { name: 'one' },
    );
    expect(c).toBeInstanceOf(RedisClusterAdapter);
    expect(s).toBeInstanceOf(RedisSentinelAdapter);
    expect(single).not.toBeInstanceOf(RedisClusterAdapter);
    expect(single.name).toBe('one');
    await Promise.all([c.close(), s.close(), single.close()]);
  });
});

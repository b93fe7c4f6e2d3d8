import { describe, expect, it } from 'vitest';
import { isRedisConfigError } from '../errors.js';
import { readClusterEnv, readSentinelEnv, readTopologyEnv } from './cluster-env.js';

/** Runs `fn`, expects a RedisConfigError and returns it. */
function configError(fn: () => unknown): Error & { variable: string } {
  try {
    fn();
  } catch (e) {
    expect(isRedisConfigError(e)).toBe(true);
    expect(e).toBeInstanceOf(RangeError);
    return e as Error & { variable: string };
  }
  throw new Error('expected a RedisConfigError');
}

describe('readClusterEnv', () => {
  it('is undefined when REDIS_CLUSTER_NODES is unset or blank', () => {
    expect(readClusterEnv({})).toBeUndefined();
    expect(readClusterEnv({ REDIS_CLUSTER_NODES: '  ' })).toBeUndefined();
  });

  it('parses host:port, [v6]:port and URLs, trimming spaces', () => {
    expect(
      readClusterEnv({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-a.internal:7001 ,[::1]:7002' }),
    ).toEqual({
      rootNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-a.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      tls: undefined,
      username: undefined,
      password: undefined,
    });
    expect(
      readClusterEnv({
        REDIS_CLUSTER_NODES: 'rediss://app:s%40cret@a:7000,rediss://app:s%40cret@b:7001,c:7002',
      }),
    ).toEqual({
      rootNodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
        { host: 'c', port: 7002 },
      ],
      tls: true,
      username: 'app',
      password: 's@cret',
    });
    expect(readClusterEnv({ REDIS_CLUSTER_NODES: 'redis://a' })?.rootNodes).toEqual([
      { host: 'a', port: 6379 },
    ]);
  });

  it.each([
    ['a:notaport', /port must be an integer in 1\.\.65535, got "notaport"/],
    ['a:0', /got "0"/],
    ['a:65536', /got "65536"/],
    ['a:-1', /got "-1"/],
    ['a', /expected host:port or a redis:\/\/ \/ rediss:\/\/ URL/],
    ['a:7000,,b:7001', /empty entry/],
    ['http://a:7000', /unsupported scheme/],
    ['redis://a:7000/3', /database "3"/],
    ['redis://a:7000,rediss://b:7001', /mixes redis:\/\/ and rediss:\/\//],
  ])('rejects %j naming the variable and the value', (value, re) => {
    const e = configError(() => readClusterEnv({ REDIS_CLUSTER_NODES: value }));
    expect(e.variable).toBe('REDIS_CLUSTER_NODES');
    expect(e.message).toMatch(/^REDIS_CLUSTER_NODES: /);
    expect(e.message).toMatch(re);
  });

  it('never shows a password in an error', () => {
    for (const value of [
      'redis://u:hunter2@a:99999',
      'redis://u:hunter2@a:7000/5',
      'redis://u:hunter2@a:7000,redis://u:other@b:7001',
      'redis://u:hunter2@a:7000,,b:1',
      'redis://u:hunter2@a:7000,rediss://u:hunter2@b:7001',
    ]) {
      const e = configError(() => readClusterEnv({ REDIS_CLUSTER_NODES: value }));
      expect(e.message).not.toMatch(/hunter2|other/);
      expect(e.message).toContain('REDIS_CLUSTER_NODES');
    }
    const e = configError(() => readClusterEnv({ REDIS_CLUSTER_NODES: 'redis://u:hunter2@a:1/5' }));
    expect(e.message).toContain('redis://u:***@a:1/5');
    // a URL the WHATWG parser rejects is not shown at all (it might hold anything)
    const u = configError(() =>
      readClusterEnv({ REDIS_CLUSTER_NODES: 'redis://u:hunter2@a:99999' }),
    );
    expect(u.message).toBe('REDIS_CLUSTER_NODES: invalid URL entry "<unparseable-url>"');
  });
});

describe('readSentinelEnv', () => {
  it('is undefined when neither variable is set', () => {
    expect(readSentinelEnv({})).toBeUndefined();
  });

  it('parses the list, the name and the sentinel credentials', () => {
    expect(
      readSentinelEnv({
        REDIS_SENTINELS: 's1:26379, s2:26380',
        REDIS_SENTINEL_NAME: ' mymaster ',
        REDIS_SENTINEL_PASSWORD: 'p',
      }),
    ).toEqual({
      name: 'mymaster',
      sentinelRootNodes: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      sentinelUsername: undefined,
      sentinelPassword: 'p',
    });
  });

  it('requires both variables and validates each', () => {
    expect(configError(() => readSentinelEnv({ REDIS_SENTINELS: 's:1' })).variable).toBe(
      'REDIS_SENTINEL_NAME',
    );
    expect(configError(() => readSentinelEnv({ REDIS_SENTINEL_NAME: 'm' })).variable).toBe(
      'REDIS_SENTINELS',
    );
    const bad = configError(() =>
      readSentinelEnv({ REDIS_SENTINELS: 's:26379,s2:abc', REDIS_SENTINEL_NAME: 'm' }),
    );
    expect(bad.variable).toBe('REDIS_SENTINELS');
    expect(bad.message).toMatch(/invalid entry "s2:abc": port must be an integer/);
    expect(
      configError(() =>
        readSentinelEnv({ REDIS_SENTINELS: 'redis://s:26379', REDIS_SENTINEL_NAME: 'm' }),
      ).message,
    ).toMatch(/expected host:port$/);
    expect(
      configError(() =>
        readSentinelEnv({ REDIS_SENTINELS: 's:1', REDIS_SENTINEL_NAME: 'my master' }),
      ).variable,
    ).toBe('REDIS_SENTINEL_NAME');
  });
});

describe('readTopologyEnv', () => {
  it('selects cluster, sentinel or nothing', () => {
    expect(readTopologyEnv({ REDIS_URL: 'redis://a' })).toBeUndefined();
    expect(readTopologyEnv({ REDIS_CLUSTER_NODES: 'a:1' })?.kind).toBe('cluster');
    expect(readTopologyEnv({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm' })?.kind).toBe(
      'sentinel',
    );
  });

  it('rejects ambiguous combinations', () => {
    expect(
      configError(() =>
        readTopologyEnv({
          REDIS_CLUSTER_NODES: 'a:1',
          REDIS_SENTINELS: 'b:2',
          REDIS_SENTINEL_NAME: 'm',
        }),
      ).message,
    ).toMatch(/REDIS_SENTINELS: cannot be combined with REDIS_CLUSTER_NODES/);
    const e = configError(() =>
      readTopologyEnv({ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://:pw@x' }),
    );
    expect(e.message).toMatch(/REDIS_CLUSTER_NODES: cannot be combined with REDIS_URL/);
    expect(e.message).not.toContain('pw');
    expect(
      configError(() =>
        readTopologyEnv({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_HOST: 'h' }),
      ).variable,
    ).toBe('REDIS_SENTINELS');
  });
});

describe('seed errors never echo credentials', () => {
  it('redacts a password in a seed written without a scheme', () => {
    const bad = configError(() => readClusterEnv({ REDIS_CLUSTER_NODES: ':s3cr3t@h:99999' }));
    expect(bad.variable).toBe('REDIS_CLUSTER_NODES');
    expect(bad.message).toContain('h:99999');
    expect(bad.message).not.toContain('s3cr3t');
    const sentinel = configError(() =>
      readSentinelEnv({ REDIS_SENTINELS: 'user:hunter2@s', REDIS_SENTINEL_NAME: 'm' }),
    );
    expect(sentinel.message).not.toContain('hunter2');
  });
});

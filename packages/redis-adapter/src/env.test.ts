import { describe, expect, it } from 'vitest';
import { createRedisAdapterFromEnv, redisAdapterOptionsFromEnv } from './env.js';
import { isRedisConfigError, type RedisConfigError } from './errors.js';

const fail = (env: Record<string, string>): RedisConfigError => {
  try {
    redisAdapterOptionsFromEnv(env);
  } catch (e) {
    expect(isRedisConfigError(e)).toBe(true);
    expect(e).toBeInstanceOf(RangeError);
    return e as RedisConfigError;
  }
  throw new Error('expected a RedisConfigError');
};

describe('redisAdapterOptionsFromEnv', () => {
  it('reads every variable', () => {
    const o = redisAdapterOptionsFromEnv({
      REDIS_URL: 'redis://cache:6380/1',
      REDIS_HOST: 'other',
      REDIS_PORT: '7000',
      REDIS_USERNAME: 'app',
      REDIS_PASSWORD: ' pw with spaces ',
      REDIS_DB: '3',
      REDIS_TLS: 'true',
      REDIS_TLS_SERVERNAME: 'sni.example.com',
      REDIS_RESP: '2',
      REDIS_OPERATION_TIMEOUT: '500',
      REDIS_CONNECT_TIMEOUT: '3000',
      REDIS_RECONNECT_GRACE: '0',
      REDIS_PING_INTERVAL: '5000',
      REDIS_SOCKET_TIMEOUT: '15000',
      REDIS_REQUIRE_CONNECTION: 'yes',
      REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD: '10',
      REDIS_CIRCUIT_BREAKER_RESET_TIMEOUT: '20000',
      REDIS_CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS: '2',
    });
    expect(o).toEqual({
      url: 'redis://cache:6380/1',
      host: 'other',
      port: 7000,
      username: 'app',
      password: ' pw with spaces ',
      database: 3,
      tls: { servername: 'sni.example.com' },
      RESP: 2,
      operationTimeout: 500,
      connectTimeout: 3000,
      reconnectGrace: 0,
      pingInterval: 5000,
      socketTimeout: 15000,
      requireConnection: true,
      breaker: { failureThreshold: 10, resetTimeout: 20000, halfOpenMaxAttempts: 2 },
    });
  });

  it('empty and unset variables are ignored; off disables ping and socket timeout', () => {
    expect(redisAdapterOptionsFromEnv({ REDIS_HOST: '', REDIS_PORT: '  ' })).toEqual({});
    expect(
      redisAdapterOptionsFromEnv({ REDIS_PING_INTERVAL: 'off', REDIS_SOCKET_TIMEOUT: '0' }),
    ).toEqual({ pingInterval: false, socketTimeout: false });
  });

  it.each([
    [{ REDIS_PORT: 'abc' }, 'REDIS_PORT', 'REDIS_PORT must be an integer, got "abc"'],
    [{ REDIS_PORT: '70000' }, 'REDIS_PORT', 'REDIS_PORT must be in [1, 65535], got "70000"'],
    [{ REDIS_PORT: '-1' }, 'REDIS_PORT', 'REDIS_PORT must be in [1, 65535], got "-1"'],
    [{ REDIS_DB: '1.5' }, 'REDIS_DB', 'REDIS_DB must be an integer, got "1.5"'],
    [{ REDIS_TLS: 'maybe' }, 'REDIS_TLS', 'REDIS_TLS must be true or false, got "maybe"'],
    [{ REDIS_RESP: '4' }, 'REDIS_RESP', 'REDIS_RESP must be 2 or 3, got "4"'],
    [
      { REDIS_OPERATION_TIMEOUT: '1s' },
      'REDIS_OPERATION_TIMEOUT',
      'REDIS_OPERATION_TIMEOUT must be an integer (milliseconds), got "1s"',
    ],
    [
      { REDIS_OPERATION_TIMEOUT: '0' },
      'REDIS_OPERATION_TIMEOUT',
      'REDIS_OPERATION_TIMEOUT must be in [1, 2147483647] (milliseconds), got "0"',
    ],
    [
      { REDIS_CONNECT_TIMEOUT: 'NaN' },
      'REDIS_CONNECT_TIMEOUT',
      'REDIS_CONNECT_TIMEOUT must be an integer (milliseconds), got "NaN"',
    ],
    [
      { REDIS_RECONNECT_GRACE: '-5' },
      'REDIS_RECONNECT_GRACE',
      'REDIS_RECONNECT_GRACE must be in [0, 2147483647] (milliseconds), got "-5"',
    ],
    [
      { REDIS_PING_INTERVAL: 'often' },
      'REDIS_PING_INTERVAL',
      'REDIS_PING_INTERVAL must be an integer (milliseconds), got "often"',
    ],
    [
      { REDIS_SOCKET_TIMEOUT: '1e3' },
      'REDIS_SOCKET_TIMEOUT',
      'REDIS_SOCKET_TIMEOUT must be an integer (milliseconds), got "1e3"',
    ],
    [
      { REDIS_REQUIRE_CONNECTION: '2' },
      'REDIS_REQUIRE_CONNECTION',
      'REDIS_REQUIRE_CONNECTION must be true or false, got "2"',
    ],
    [
      { REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD: '0' },
      'REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD',
      'REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD must be in [1, 1000000], got "0"',
    ],
    [
      { REDIS_CIRCUIT_BREAKER_RESET_TIMEOUT: 'x' },
      'REDIS_CIRCUIT_BREAKER_RESET_TIMEOUT',
      'REDIS_CIRCUIT_BREAKER_RESET_TIMEOUT must be an integer (milliseconds), got "x"',
    ],
    [
      { REDIS_CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS: 'two' },
      'REDIS_CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS',
      'REDIS_CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS must be an integer, got "two"',
    ],
    [
      { REDIS_URL: 'http://:hunter2@host:6379' },
      'REDIS_URL',
      'REDIS_URL must start with redis:// or rediss://, got http://:***@host:6379/',
    ],
    [
      { REDIS_URL: 'redis:/u:hunter2@h:6379' },
      'REDIS_URL',
      'REDIS_URL must start with redis:// or rediss://, got redis:/***@h:6379',
    ],
    [
      { REDIS_URL: 'redis:u:hunter2@h:6379' },
      'REDIS_URL',
      'REDIS_URL must start with redis:// or rediss://, got ***@h:6379',
    ],
    [
      { REDIS_URL: 'redis://default:p@ss/hunter2@cache.internal:6379' },
      'REDIS_URL',
      'REDIS_URL has an "@" after its host: percent-encode "@", "/", "?" and "#" in a user name or password, got redis://***@cache.internal:6379',
    ],
    [
      { REDIS_URL: 'REDISS://h:6380', REDIS_TLS: 'false' },
      'REDIS_TLS',
      'REDIS_TLS is false but REDIS_URL uses rediss:// (TLS)',
    ],
    [
      { REDIS_HOST: 'redis://cache:6379?password=hunter2' },
      'REDIS_HOST',
      'REDIS_HOST must be a host name or IP address, got "redis://cache:6379?password=***"',
    ],
    [
      { REDIS_HOST: 'u:hunter2@h' },
      'REDIS_HOST',
      'REDIS_HOST must be a host name or IP address, got "***@h"',
    ],
    [
      { REDIS_URL: 'nonsense hunter2' },
      'REDIS_URL',
      'REDIS_URL is not a valid URL, got <unparseable-url>',
    ],
    [
      { REDIS_URL: 'rediss://h', REDIS_TLS: 'false' },
      'REDIS_TLS',
      'REDIS_TLS is false but REDIS_URL uses rediss:// (TLS)',
    ],
  ])('%o → %s', (env, variable, message) => {
    const e = fail(env as Record<string, string>);
    expect(e.variable).toBe(variable);
    expect(e.message).toBe(message);
    expect(e.message).not.toContain('hunter2');
  });

  it('REDIS_PING_INTERVAL=off alone works: the adapter is created, the dead-socket detector off', async () => {
    expect(redisAdapterOptionsFromEnv({ REDIS_PING_INTERVAL: 'off' })).toMatchObject({
      pingInterval: false,
      socketTimeout: false,
    });
    const a = createRedisAdapterFromEnv({ REDIS_PING_INTERVAL: 'off' });
    await a.close();
  });

  it.each([
    [{ REDIS_PING_INTERVAL: '30000', REDIS_SOCKET_TIMEOUT: '1000' }, 'REDIS_SOCKET_TIMEOUT'],
    [{ REDIS_PING_INTERVAL: '30000' }, 'REDIS_PING_INTERVAL'],
    [{ REDIS_PING_INTERVAL: 'off', REDIS_SOCKET_TIMEOUT: '5000' }, 'REDIS_SOCKET_TIMEOUT'],
    [{ REDIS_SOCKET_TIMEOUT: 'abc' }, 'REDIS_SOCKET_TIMEOUT'],
    [{ REDIS_URL: 'redis://:pw-secret@h:1/abc' }, 'REDIS_URL'],
    [{ REDIS_TLS: 'false', REDIS_TLS_SERVERNAME: 'redis.example' }, 'REDIS_TLS_SERVERNAME'],
    // A Cluster or Sentinel environment is never read as a single server (localhost:6379).
    [{ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'h:7000' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_CLUSTER_NODES: 'redis://:pw-secret@h:7000' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_SENTINELS: 'h:26379', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS'],
    [{ REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME'],
    // A password pasted into the wrong variable is not echoed.
    [{ REDIS_PASSWORD: 'pw-secret', REDIS_PORT: 'pw-secret' }, 'REDIS_PORT'],
    [{ REDIS_PASSWORD: 'pw-secret', REDIS_TLS: 'pw-secret' }, 'REDIS_TLS'],
    [{ REDIS_PASSWORD: 'pw-secret', REDIS_RESP: 'pw-secret' }, 'REDIS_RESP'],
    [{ REDIS_PASSWORD: 'pw-secret !', REDIS_HOST: 'pw-secret !' }, 'REDIS_HOST'],
  ])('%o throws RedisConfigError naming %s (and no secret)', (env, variable) => {
    let error: unknown;
    try {
      createRedisAdapterFromEnv(env);
    } catch (e) {
      error = e;
    }
    expect(isRedisConfigError(error)).toBe(true);
    expect((error as RedisConfigError).message).toContain(variable);
    expect((error as RedisConfigError).message).not.toContain('pw-secret');
  });

  it('a sentinel username or password alone does not make the environment a Sentinel one', async () => {
    const a = createRedisAdapterFromEnv({
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: '1',
      REDIS_SENTINEL_USERNAME: 'u',
      REDIS_SENTINEL_PASSWORD: 'p',
    });
    expect(a.connectionState).toBe('closed');
    await a.close();
  });

  it('createRedisAdapterFromEnv merges overrides (breaker merged key by key)', async () => {
    const adapter = createRedisAdapterFromEnv(
      { REDIS_HOST: '127.0.0.1', REDIS_PORT: '1', REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD: '7' },
      { name: 'cache', breaker: { halfOpenMaxAttempts: 2 } },
    );
    expect(adapter.name).toBe('cache');
    expect(adapter.connectionState).toBe('closed');
    await adapter.close();
  });
});

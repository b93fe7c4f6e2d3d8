import { describe, expect, it } from 'vitest';
import { buildClientOptions } from './create-redis-adapter.js';
import { DEFAULT_REDIS_ADAPTER_OPTIONS } from './options.js';
import { resolveRedisAdapterOptions } from './resolve-redis-adapter-options.js';

describe('resolveRedisAdapterOptions', () => {
  it('applies the documented defaults', () => {
    const r = resolveRedisAdapterOptions();
    expect(r).toMatchObject({
      name: 'redis',
      host: 'localhost',
      port: 6379,
      database: 0,
      RESP: 3,
      operationTimeout: 1000,
      reconnectGrace: 250,
      connectTimeout: 2000,
      requireConnection: false,
      pingInterval: 10_000,
      socketTimeout: 25_000,
      keepAlive: true,
      reportInterval: 5000,
      tls: undefined,
      displayUrl: 'redis://localhost:6379/0',
    });
    expect(r.breaker).toMatchObject({ failureThreshold: 5, halfOpenMaxAttempts: 1 });
    // The first reconnect within 100 ms; the cap (what a restart waits for the next attempt) 1 s.
    for (let n = 0; n < 200; n++) expect(r.reconnectBackoff.delay(0)).toBeLessThanOrEqual(100);
    const late = Array.from({ length: 200 }, (_, n) => r.reconnectBackoff.delay(10 + n));
    expect(Math.max(...late)).toBeLessThanOrEqual(1000);
    expect(Math.max(...late)).toBeGreaterThan(900); // full jitter reaches up to the cap
    expect(DEFAULT_REDIS_ADAPTER_OPTIONS.pingInterval).toBeLessThanOrEqual(30_000);
  });

  it('parses the URL; explicit options win; the caller object is not mutated', () => {
    const input = Object.freeze({ url: 'rediss://u:p%40ss@cache.example.com:6380/2', port: 7000 });
    const r = resolveRedisAdapterOptions(input);
    expect(r).toMatchObject({
      host: 'cache.example.com',
      port: 7000,
      username: 'u',
      password: 'p@ss',
      database: 2,
    });
    expect(r.tls?.servername).toBe('cache.example.com');
    expect(r.secrets).toContain('p@ss');
    expect(r.displayUrl).toBe('rediss://cache.example.com:7000/2');
  });

  it.each([
    [{ foo: 1 }, TypeError, 'createRedisAdapter: unknown option "foo"'],
    [{ port: 0 }, RangeError, 'port must be an integer in [1, 65535], got 0'],
    [{ port: '6379' }, TypeError, 'port must be an integer in [1, 65535], got "6379"'],
    [
      { operationTimeout: Number.NaN },
      RangeError,
      'operationTimeout must be a finite number of ms >= 1, got NaN',
    ],
    [{ operationTimeout: '1s' }, TypeError, 'operationTimeout must be a number of ms, got "1s"'],
    [
      { reconnectGrace: -1 },
      RangeError,
      'reconnectGrace must be a finite number of ms >= 0, got -1',
    ],
    [
      { connectTimeout: Infinity },
      RangeError,
      'connectTimeout must be a finite number of ms >= 1, got Infinity',
    ],
    [
      { pingInterval: 5000, socketTimeout: 5000 },
      RangeError,
      'socketTimeout must be above pingInterval (5000), got 5000',
    ],
    [{ pingInterval: false }, RangeError, 'socketTimeout (25000) needs pingInterval'],
    [{ RESP: 4 }, RangeError, 'RESP must be 2 or 3, got 4'],
    [{ requireConnection: 'yes' }, TypeError, 'requireConnection must be a boolean, got "yes"'],
    [{ url: 'http://h' }, RangeError, 'url must start with redis:// or rediss://, got http://h/'],
    [
      { url: 'redis://:hunter2@h/x' },
      RangeError,
      'url database must be an integer, got redis://:***@h/x',
    ],
    [
      { url: 'admin:hunter2@127.0.0.1:6380' },
      RangeError,
      'url must start with redis:// or rediss://, got ***@127.0.0.1:6380',
    ],
    [
      { url: 'rediss:/admin:hunter2@host' },
      RangeError,
      'url must start with redis:// or rediss://, got rediss:/***@host',
    ],
    [{ host: 'u:hunter2@h' }, RangeError, 'host must be a host name or IP address, got "***@h"'],
    [{ host: 'redis://h' }, RangeError, 'host must be a host name or IP address, got "redis://h"'],
    [{ url: 'not a url hunter2' }, TypeError, 'url is not a valid URL, got <unparseable-url>'],
    [{ url: 'rediss://h', tls: false }, RangeError, 'tls is false but the url uses rediss://'],
    [{ tls: { verify: false } }, TypeError, 'unknown option "tls.verify"'],
    [{ breaker: { isFailure: () => true } }, TypeError, 'breaker.isFailure is set by the adapter'],
    [{ breaker: { timeout: 5 } }, TypeError, 'breaker.timeout is set by the adapter'],
    [{ reporter: 'console' }, TypeError, 'reporter must be a function, got "console"'],
    [{ reconnectBackoff: 100 }, TypeError, 'reconnectBackoff must be a Backoff'],
    [{ name: ' ' }, RangeError, 'name must not be empty'],
  ])('%o → %s', (options, Type, message) => {
    expect(() => resolveRedisAdapterOptions(options as never)).toThrow(Type);
    expect(() => resolveRedisAdapterOptions(options as never)).toThrow(message);
  });

  it('never shows the password in a validation error', () => {
    try {
      resolveRedisAdapterOptions({ url: 'ftp://user:hunter2@h' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});

describe('buildClientOptions', () => {
  it('sets the resilience settings explicitly', () => {
    const o = buildClientOptions(
      resolveRedisAdapterOptions({
        url: 'redis://h:1',
        password: 'pw',
        clientName: 'svc',
        RESP: 2,
      }),
    ) as Record<string, unknown>;
    const socket = o.socket as Record<string, unknown>;
    expect(o.disableOfflineQueue).toBe(true);
    expect(o.pingInterval).toBe(10_000);
    expect(o.RESP).toBe(2);
    expect(o.name).toBe('svc');
    expect(o.commandOptions).toEqual({ timeout: 0 });
    expect(socket).toMatchObject({
      host: 'h',
      port: 1,
      connectTimeout: 2000,
      socketTimeout: 25_000,
      keepAlive: true,
      noDelay: true,
    });
    expect(typeof socket.reconnectStrategy).toBe('function');
    expect('tls' in socket).toBe(false);
  });

  it('passes TLS settings through, keeps an explicit rejectUnauthorized', () => {
    const socket = buildClientOptions(
      resolveRedisAdapterOptions({
        host: 'db.internal',
        tls: { ca: 'PEM', rejectUnauthorized: true, servername: 'sni.example.com' },
      }),
    ).socket as Record<string, unknown>;
    expect(socket).toMatchObject({
      tls: true,
      ca: 'PEM',
      rejectUnauthorized: true,
      servername: 'sni.example.com',
    });
  });
});

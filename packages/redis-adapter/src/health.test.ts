import { describe, expect, it } from 'vitest';
import type { CircuitBreakerStats, CircuitState } from '@breakwater/breaker';
import { livenessResponse, redisHealthResponse, redisHealthStatus } from './health.js';
import type { RedisConnectionState, RedisHealth } from './types.js';

const stats = (state: CircuitState): CircuitBreakerStats => ({
  name: 'redis',
  state,
  failureCount: 0,
  successCount: 0,
  slowCallCount: 0,
  failureRate: 0,
  lastFailureTime: null,
  lastStateChange: 0,
  nextRetryTime: null,
  halfOpenInFlight: 0,
  forced: null,
});
const source = (connection: RedisConnectionState, breaker: CircuitState, name = 'cache') => ({
  name,
  health: (): RedisHealth => ({
    status: redisHealthStatus(connection, breaker),
    connection,
    breaker: stats(breaker),
    lastError:
      connection === 'ready'
        ? null
        : { kind: 'connection', message: 'connect ECONNREFUSED', at: 1 },
  }),
});

describe('redisHealthStatus', () => {
  it.each([
    ['ready', 'closed', 'pass'],
    ['ready', 'half-open', 'warn'],
    ['ready', 'open', 'fail'],
    ['reconnecting', 'closed', 'warn'],
    ['connecting', 'closed', 'warn'],
    ['reconnecting', 'open', 'fail'],
    ['failed', 'closed', 'fail'],
    ['closed', 'closed', 'fail'],
  ] as const)('%s + %s → %s', (c, b, expected) => {
    expect(redisHealthStatus(c, b)).toBe(expected);
  });
});

describe('redisHealthResponse', () => {
  it('pass → 200 application/health+json, no-store, no output', () => {
    const r = redisHealthResponse(
      { source: source('ready', 'closed') },
      { now: 0, serviceId: 'svc' },
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers).toEqual({
      'content-type': 'application/health+json',
      'cache-control': 'no-store',
    });
    const body = JSON.parse(r.body);
    expect(body).toEqual({
      status: 'pass',
      serviceId: 'svc',
      checks: {
        'cache:connection': [
          {
            componentId: 'cache',
            componentType: 'datastore',
            status: 'pass',
            observedValue: 'ready',
            time: '1970-01-01T00:00:00.000Z',
          },
        ],
        'cache:circuitBreaker': [
          {
            componentId: 'cache',
            componentType: 'component',
            status: 'pass',
            observedValue: 'closed',
            time: '1970-01-01T00:00:00.000Z',
          },
        ],
      },
    });
  });

  it('a degraded non-critical Redis is warn with HTTP 200', () => {
    const r = redisHealthResponse({ source: source('reconnecting', 'open') });
    expect(r.statusCode).toBe(200);
    expect(r.report.status).toBe('warn');
    expect(r.report.checks!['cache:connection']![0]!.output).toBe('connect ECONNREFUSED');
  });

  it('only a critical failing check gives fail / 503; warn stays 200 even when critical', () => {
    expect(
      redisHealthResponse({ source: source('failed', 'closed'), critical: true }).statusCode,
    ).toBe(503);
    expect(
      redisHealthResponse({ source: source('reconnecting', 'closed'), critical: true }).statusCode,
    ).toBe(200);
    const mixed = redisHealthResponse([
      { source: source('ready', 'closed', 'sessions'), critical: true },
      { source: source('closed', 'open', 'cache') },
    ]);
    expect(mixed.statusCode).toBe(200);
    expect(mixed.report.status).toBe('warn');
    expect(Object.keys(mixed.report.checks!)).toHaveLength(4);
  });

  it('liveness never looks at Redis', () => {
    const r = livenessResponse({ version: '1' });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'pass', version: '1' });
  });
});

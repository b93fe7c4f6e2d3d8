import { describe, expect, it } from 'vitest';
import type { CircuitBreakerStats, CircuitState } from '@breakwater/breaker';
import { livenessResponse, redisHealthResponse, redisHealthStatus } from './health.js';
import type { HealthStatus } from './health.js';
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

  it('each entry describes its own component: a closed breaker passes while Redis is down', () => {
    const entries = (r: ReturnType<typeof redisHealthResponse>) =>
      [r.report.checks!['cache:connection']![0]!, r.report.checks!['cache:circuitBreaker']![0]!]
        .map((e) => `${e.observedValue}=${e.status}`)
        .join(' ');
    const down = redisHealthResponse({ source: source('reconnecting', 'closed') });
    expect(entries(down)).toBe('reconnecting=warn closed=pass');
    expect(down.report.status).toBe('warn');
    expect(down.report.checks!['cache:circuitBreaker']![0]!.output).toBeUndefined();
    // A ready connection passes while the breaker is open (non-critical: the breaker warns).
    expect(entries(redisHealthResponse({ source: source('ready', 'open') }))).toBe(
      'ready=pass open=warn',
    );
    const critical = redisHealthResponse({ source: source('ready', 'open'), critical: true });
    expect(entries(critical)).toBe('ready=pass open=fail');
    expect(critical.statusCode).toBe(503);
    expect(
      entries(redisHealthResponse({ source: source('reconnecting', 'open'), critical: true })),
    ).toBe('reconnecting=warn open=fail');
    expect(
      entries(redisHealthResponse({ source: source('failed', 'closed'), critical: true })),
    ).toBe('failed=fail closed=pass');
  });

  it("keeps an adapter's own verdict: Cluster shard warnings, Sentinel failover warnings", () => {
    const withStatus = (
      connection: RedisConnectionState,
      breaker: CircuitState,
      status: HealthStatus,
    ) => ({
      name: 'cache',
      health: (): RedisHealth => ({ ...source(connection, breaker).health(), status }),
    });
    // A Cluster whose topology is ready with a closed breaker, but one shard is down.
    const shard = redisHealthResponse({ source: withStatus('ready', 'closed', 'warn') });
    expect(shard.report.checks!['cache:connection']![0]!.status).toBe('warn');
    expect(shard.report.checks!['cache:circuitBreaker']![0]!.status).toBe('pass');
    // A Sentinel master being failed over: warn, even with the breaker open.
    const failover = redisHealthResponse({
      source: withStatus('reconnecting', 'open', 'warn'),
      critical: true,
    });
    expect(failover.statusCode).toBe(200);
    expect(failover.report.checks!['cache:circuitBreaker']![0]!.status).toBe('warn');
    // Whatever the states, the worst entry is the adapter's own status.
    const states: RedisConnectionState[] = [
      'connecting',
      'ready',
      'reconnecting',
      'closed',
      'failed',
    ];
    const breakers: CircuitState[] = ['closed', 'half-open', 'open'];
    const statuses: HealthStatus[] = ['pass', 'warn', 'fail'];
    for (const c of states)
      for (const b of breakers)
        for (const st of [redisHealthStatus(c, b), ...statuses]) {
          const r = redisHealthResponse({ source: withStatus(c, b, st), critical: true });
          const worst = Object.values(r.report.checks!)
            .map((e) => e[0]!.status)
            .sort((x, y) => statuses.indexOf(y) - statuses.indexOf(x))[0];
          expect(worst).toBe(st);
          expect(r.report.status).toBe(st);
        }
  });

  it('liveness never looks at Redis', () => {
    const r = livenessResponse({ version: '1' });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'pass', version: '1' });
  });
});

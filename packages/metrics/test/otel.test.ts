/**
 * @breakwater/metrics/otel against a REAL redis-server killed and restarted, read through the
 * OpenTelemetry metrics SDK's in-memory exporter: breaker state, operation counts by result
 * and reason, duration histograms, the connection, and nothing left after dispose.
 */
import { constantBackoff } from '@breakwater/breaker';
import { createRedisAdapter, RedisCorruptValueError } from '@breakwater/redis-adapter';
import { instrumentRedisAdapter, OTEL_ATTRIBUTES as A } from '@breakwater/metrics/otel';
import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type HistogramMetricData,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, test } from 'vitest';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { inMemoryProvider, pointsOf, value } from './support/otel-reader.js';

afterAll(stopAllRedis);

/** Count and sum of `name`'s histogram points whose attributes include `want`. */
function histogram(metrics: MetricData[], name: string, want: Attributes) {
  const m = metrics.find((x) => x.descriptor.name === name) as HistogramMetricData | undefined;
  const points = pointsOf(metrics, name, want) as HistogramMetricData['dataPoints'];
  return {
    unit: m?.descriptor.unit,
    type: m?.dataPointType,
    count: points.reduce((n, p) => n + p.value.count, 0),
    sum: points.reduce((n, p) => n + (p.value.sum ?? 0), 0),
    boundaries: points[0]?.value.buckets.boundaries,
  };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('OpenTelemetry metrics through a kill and restart', () => {
  test('breaker state, operation counts by result and reason, durations, connection', async () => {
    const server = await startRedis();
    const client = `otel-${server.port}`;
    const adapter = createRedisAdapter({
      url: server.url,
      name: client,
      operationTimeout: 500,
      reconnectGrace: 0,
      connectTimeout: 1000,
      reconnectBackoff: constantBackoff(50),
      breaker: { failureThreshold: 3, failureRateThreshold: 0.5, resetTimeout: 200 },
    });
    const { provider, read } = inMemoryProvider();
    const dispose = instrumentRedisAdapter(adapter, { meterProvider: provider });
    const get = (): Promise<unknown> =>
      adapter.executeRedisOperation(
        (c) => c.get('otel:key'),
        (kind) => `fallback:${kind}`,
        'get',
      );
    const op = { [A.redisClient]: client, [A.dbOperation]: 'get' };
    const breaker = { [A.breakerName]: client };

    await adapter.connect();
    await server.cli('SET', 'otel:key', 'v');
    await server.cli('HSET', 'otel:hash', 'f', 'v');
    for (let i = 0; i < 3; i++) expect(await get()).toBe('v');
    await expect(
      adapter.executeRedisOperation(
        (c) => c.get('otel:hash'),
        () => 'never',
        'get-hash',
      ),
    ).rejects.toThrow(/WRONGTYPE/);
    // A stored value the op cannot decode: a degraded answer (reason corrupt), not an error.
    await server.cli('SET', 'otel:bad', '{not json');
    await expect(
      adapter.executeRedisOperation(
        async (c) => {
          const text = await c.get('otel:bad');
          try {
            return JSON.parse(text ?? 'null') as unknown;
          } catch {
            throw new RedisCorruptValueError('stored value is not valid JSON');
          }
        },
        () => 'never',
        'get-json',
      ),
    ).rejects.toThrow(RedisCorruptValueError);

    let m = await read();
    expect(
      value(m, 'breakwater.redis.operations', {
        [A.dbOperation]: 'get-json',
        [A.redisResult]: 'fallback',
        [A.errorType]: 'corrupt',
      }),
    ).toBe(1);
    expect(
      value(m, 'breakwater.redis.operations', {
        [A.dbOperation]: 'get-json',
        [A.redisResult]: 'error',
      }),
    ).toBe(0);
    expect(value(m, 'breakwater.redis.operations', { ...op, [A.redisResult]: 'success' })).toBe(3);
    expect(
      value(m, 'breakwater.redis.operations', {
        [A.dbOperation]: 'get-hash',
        [A.redisResult]: 'error',
        [A.errorType]: 'data',
      }),
    ).toBe(1);
    const ok = histogram(m, 'db.client.operation.duration', { ...op, [A.redisResult]: 'success' });
    expect(ok).toMatchObject({ unit: 's', type: DataPointType.HISTOGRAM, count: 3 });
    expect(ok.sum).toBeGreaterThan(0);
    expect(ok.sum).toBeLessThan(3); // seconds, not milliseconds
    expect(ok.boundaries?.[0]).toBe(0.0005);
    expect(value(m, 'breakwater.breaker.state', { ...breaker, [A.breakerState]: 'closed' })).toBe(
      1,
    );
    expect(value(m, 'breakwater.breaker.state', { ...breaker, [A.breakerState]: 'open' })).toBe(0);
    expect(value(m, 'breakwater.breaker.calls', { ...breaker, [A.callOutcome]: 'success' })).toBe(
      3,
    );
    expect(value(m, 'db.client.connection.count', { [A.poolName]: client })).toBe(1);
    expect(
      value(m, 'breakwater.redis.connection.state', {
        [A.redisClient]: client,
        [A.redisConnectionState]: 'ready',
      }),
    ).toBe(1);

    // Outage: every call falls back, the breaker opens, the connection is down.
    await server.kill();
    await until(() => adapter.connectionState !== 'ready');
    for (let i = 0; i < 6; i++) expect(String(await get())).toMatch(/^fallback:/);
    m = await read();
    expect(value(m, 'breakwater.redis.operations', { ...op, [A.redisResult]: 'fallback' })).toBe(6);
    expect(
      value(m, 'breakwater.redis.operations', {
        ...op,
        [A.redisResult]: 'fallback',
        [A.errorType]: 'circuit-open',
      }),
    ).toBeGreaterThan(0);
    expect(
      histogram(m, 'db.client.operation.duration', { ...op, [A.redisResult]: 'fallback' }).count,
    ).toBe(6);
    expect(value(m, 'breakwater.breaker.state', { ...breaker, [A.breakerState]: 'open' })).toBe(1);
    expect(
      value(m, 'breakwater.breaker.state_transitions', {
        ...breaker,
        [A.stateFrom]: 'closed',
        [A.stateTo]: 'open',
      }),
    ).toBe(1);
    expect(
      value(m, 'breakwater.breaker.calls', { ...breaker, [A.callOutcome]: 'rejected' }),
    ).toBeGreaterThan(0);
    expect(value(m, 'db.client.connection.count', { [A.poolName]: client })).toBe(0);

    // Recovery: connected again, a call goes through, the breaker closes.
    await server.restart();
    await server.cli('SET', 'otel:key', 'v');
    await until(async () => (await get()) === 'v');
    m = await read();
    expect(value(m, 'breakwater.breaker.state', { ...breaker, [A.breakerState]: 'closed' })).toBe(
      1,
    );
    expect(value(m, 'db.client.connection.count', { [A.poolName]: client })).toBe(1);
    expect(value(m, 'breakwater.redis.reconnects', { [A.redisClient]: client })).toBeGreaterThan(0);
    expect(value(m, 'breakwater.redis.operations', { ...op, [A.redisResult]: 'success' })).toBe(4);

    // Dispose: no more observations from this adapter or its breaker (the SDK keeps exporting
    // the last cumulative values of the series it has seen; they stop moving).
    const before = await read();
    dispose();
    dispose();
    expect(await get()).toBe('v');
    m = await read();
    for (const [name, attrs] of [
      ['breakwater.redis.operations', { ...op, [A.redisResult]: 'success' }],
      ['breakwater.breaker.calls', { ...breaker, [A.callOutcome]: 'success' }],
    ] as const) {
      expect(value(m, name, attrs)).toBe(value(before, name, attrs));
    }
    expect(histogram(m, 'db.client.operation.duration', op).count).toBe(
      histogram(before, 'db.client.operation.duration', op).count,
    );
    await adapter.close();
    await provider.shutdown();
  });

  test('durations: false counts and reads state, records no histogram', async () => {
    const server = await startRedis();
    const client = `otel-nod-${server.port}`;
    const adapter = createRedisAdapter({ url: server.url, name: client });
    const { provider, read } = inMemoryProvider();
    instrumentRedisAdapter(adapter, { meterProvider: provider, durations: false });
    await adapter.connect();
    for (let i = 0; i < 2; i++) {
      await adapter.executeRedisOperation(
        (c) => c.get('k'),
        () => null,
        'get',
      );
    }
    const m = await read();
    const op = { [A.redisClient]: client, [A.dbOperation]: 'get' };
    expect(value(m, 'breakwater.redis.operations', { ...op, [A.redisResult]: 'success' })).toBe(2);
    expect(value(m, 'breakwater.breaker.calls', { [A.breakerName]: client })).toBe(2);
    expect(histogram(m, 'db.client.operation.duration', op).count).toBe(0);
    expect(histogram(m, 'breakwater.breaker.call.duration', {}).count).toBe(0);
    await adapter.close();
    await provider.shutdown();
  });

  test('rejects bad options naming them', () => {
    const adapter = createRedisAdapter({ name: 'otel-options' });
    expect(() => instrumentRedisAdapter(adapter, { buckets: [1, 0.5] })).toThrow(
      /strictly increasing/,
    );
    expect(() => instrumentRedisAdapter(adapter, { maxOperations: 0 })).toThrow(/maxOperations/);
    expect(() => instrumentRedisAdapter(adapter, { durations: 'no' as never })).toThrow(
      /durations must be a boolean/,
    );
    expect(() => instrumentRedisAdapter(adapter, { registry: 1 } as never)).toThrow(
      /unknown option "registry"/,
    );
    expect(() => instrumentRedisAdapter(adapter, { meterProvider: {} as never })).toThrow(
      /meterProvider/,
    );
    void adapter.close();
  });
});

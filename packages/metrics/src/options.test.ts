import { CircuitBreaker } from '@breakwater/breaker';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { instrumentBreaker } from './instrument-breaker.js';
import { DEFAULT_METRICS_OPTIONS, resolveMetricsOptions } from './options.js';

describe('resolveMetricsOptions', () => {
  const registry = new Registry();

  test('fills in the defaults without mutating the caller object', () => {
    const options = Object.freeze({ registry });
    const r = resolveMetricsOptions(options, 'redis-adapter');
    expect(r).toEqual({
      registry,
      prefix: '',
      buckets: DEFAULT_METRICS_OPTIONS.buckets,
      maxOperations: 100,
      maxKeys: 100,
    });
    expect(Object.keys(options)).toEqual(['registry']);
  });

  test('copies the buckets', () => {
    const buckets = [0.1, 1];
    const r = resolveMetricsOptions({ registry, buckets }, 'breaker');
    buckets.push(5);
    expect(r.buckets).toEqual([0.1, 1]);
  });

  test.each([
    [{}, TypeError, /registry must be a prom-client Registry, got undefined/],
    [{ registry: {} }, TypeError, /registry must be a prom-client Registry, got an object/],
    [{ registry, prefix: 'my-app_' }, TypeError, /prefix must match .*got "my-app_"/],
    [{ registry, prefix: 1 }, TypeError, /prefix must match .*got 1/],
    [{ registry, buckets: [] }, TypeError, /buckets must be a non-empty array/],
    [{ registry, buckets: [0.1, Number.NaN] }, RangeError, /buckets\[1\] must be .*got NaN/],
    [{ registry, buckets: [0, 1] }, RangeError, /buckets\[0\] must be .*> 0, got 0/],
    [{ registry, buckets: [1, 0.5] }, RangeError, /strictly increasing, got \[1, 0.5\]/],
    [{ registry, maxOperations: 0 }, RangeError, /maxOperations must be an integer ≥ 1, got 0/],
    [{ registry, maxOperations: 2.5 }, RangeError, /maxOperations .*got 2.5/],
    [{ registry, registery: registry }, TypeError, /unknown option "registery"/],
  ])('rejects %o', (options, type, message) => {
    expect(() => resolveMetricsOptions(options as never, 'redis-adapter')).toThrow(type);
    expect(() => resolveMetricsOptions(options as never, 'redis-adapter')).toThrow(message);
  });

  test('maxOperations is an adapter option only', () => {
    expect(() => resolveMetricsOptions({ registry, maxOperations: 5 } as never, 'breaker')).toThrow(
      /unknown option "maxOperations"/,
    );
  });

  test('options must be an object', () => {
    expect(() => resolveMetricsOptions(undefined as never, 'breaker')).toThrow(TypeError);
  });
});

describe('instrumentBreaker argument checks', () => {
  test.each([
    [null, /breaker must be a circuit breaker, got null/],
    [{}, /breaker must have on\(\) and getStats\(\)/],
    [{ on() {}, getStats() {}, name: '' }, /breaker.name must be a non-empty string/],
  ])('rejects %o', (breaker, message) => {
    expect(() => instrumentBreaker(breaker as never, { registry: new Registry() })).toThrow(
      message,
    );
  });

  test('bad options are rejected before anything is registered', async () => {
    const registry = new Registry();
    expect(() => instrumentBreaker(new CircuitBreaker('x'), { registry, prefix: '1bad' })).toThrow(
      TypeError,
    );
    expect(await registry.metrics()).toBe('\n');
  });
});

/** The OpenTelemetry breaker registry instruments, read through the SDK's in-memory exporter. */
import { BreakerRegistry, CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, test } from 'vitest';
import { inMemoryProvider, value } from '../../test/support/otel-reader.js';
import { instrumentBreakerRegistry } from './otel-breaker-registry.js';
import { OTEL_ATTRIBUTES as A, OTEL_RESILIENCE_ATTRIBUTES as R } from './otel-names.js';

/** Names of the breakers that have a `breakwater.breaker.state` series. */
function breakerNames(metrics: MetricData[]): string[] {
  const m = metrics.find((x) => x.descriptor.name === 'breakwater.breaker.state');
  const names = new Set((m?.dataPoints ?? []).map((p) => String(p.attributes[A.breakerName])));
  return [...names].sort();
}

const make = (clock = createFakeClock()) =>
  new BreakerRegistry(
    (key, initialState) =>
      new CircuitBreaker(`api@${key}`, { clock, failureThreshold: 1, initialState }),
    { name: 'api', maxKeys: 3, clock },
  );
const fail = () => Promise.reject(new Error('down'));

describe('OpenTelemetry instrumentBreakerRegistry', () => {
  test('breakers by state, evictions by reason, breaker instruments up to the cap', async () => {
    const { provider, read } = inMemoryProvider();
    const breakers = make();
    const a = breakers.get('a'); // instrumented at once
    const dispose = instrumentBreakerRegistry(breakers, { meterProvider: provider, maxKeys: 2 });
    await breakers.get('b').execute(fail, () => null);
    breakers.get('c'); // past the cap: counted by state only
    const reg = { [R.registryName]: 'api' };
    let m = await read();
    const byState = (state: string) =>
      value(m, 'breakwater.breaker_registry.breakers', { ...reg, [A.breakerState]: state });
    expect([byState('closed'), byState('open'), byState('half-open')]).toEqual([2, 1, 0]);
    expect(breakerNames(m)).toEqual(['api@a', 'api@b']);
    expect(
      value(m, 'breakwater.breaker.calls', {
        [A.breakerName]: 'api@b',
        [A.callOutcome]: 'failure',
      }),
    ).toBe(1);

    // Evicting 'a' (LRU) frees a place for the next new breaker; 'a' is no longer counted.
    breakers.get('d');
    await a.execute(fail, () => null);
    m = await read();
    expect(
      value(m, 'breakwater.breaker_registry.evictions', { ...reg, [R.evictionReason]: 'lru' }),
    ).toBe(1);
    expect(breakerNames(m)).toContain('api@d');
    expect(
      value(m, 'breakwater.breaker.calls', {
        [A.breakerName]: 'api@a',
        [A.callOutcome]: 'failure',
      }) ?? 0,
    ).toBe(0);

    // Evicting the open 'b' keeps its snapshot.
    breakers.get('e');
    breakers.get('f');
    m = await read();
    expect(value(m, 'breakwater.breaker_registry.remembered', reg)).toBe(1);

    dispose();
    dispose();
    await breakers.get('d').execute(fail, () => null); // not counted after dispose
    m = await read();
    expect(
      value(m, 'breakwater.breaker.calls', {
        [A.breakerName]: 'api@d',
        [A.callOutcome]: 'failure',
      }) ?? 0,
    ).toBe(0);
    await provider.shutdown();
  });

  test('rejects bad options and a non-registry, naming them', () => {
    const { provider } = inMemoryProvider();
    expect(() =>
      instrumentBreakerRegistry(make(), { meterProvider: provider, maxKeys: 0 }),
    ).toThrow('maxKeys must be an integer ≥ 1, got 0');
    expect(() =>
      instrumentBreakerRegistry(make(), { meterProvider: provider, maxOperations: 3 } as never),
    ).toThrow('unknown option "maxOperations"');
    expect(() => instrumentBreakerRegistry({} as never, { meterProvider: provider })).toThrow(
      TypeError,
    );
  });
});

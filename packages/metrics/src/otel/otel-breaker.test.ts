/** OpenTelemetry instrumentBreaker on a fake clock, read through the SDK's in-memory exporter. */
import { CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, test } from 'vitest';
import { inMemoryProvider, value } from '../../test/support/otel-reader.js';
import { instrumentBreaker, OTEL_ATTRIBUTES as A } from './index.js';

describe('OpenTelemetry instrumentBreaker', () => {
  test('calls by outcome, fallbacks, transitions, state, ratio and call durations', async () => {
    const clock = createFakeClock();
    const b = new CircuitBreaker('pay', {
      clock,
      timeout: 100,
      failureThreshold: 2,
      resetTimeout: 1000,
      isFailure: (e) => (e as Error).message !== 'ignored',
    });
    const { provider, read } = inMemoryProvider();
    const dispose = instrumentBreaker(b, { meterProvider: provider, buckets: [0.01, 0.1] });
    const name = { [A.breakerName]: 'pay' };

    await b.execute(async () => {
      clock.advance(5);
      return 1;
    });
    await expect(
      b.execute(() => {
        throw new Error('ignored');
      }),
    ).rejects.toThrow('ignored');
    await b.execute(
      () => {
        throw new Error('x');
      },
      () => 0,
    );
    let m = await read();
    expect(value(m, 'breakwater.breaker.failure_ratio', name)).toBe(0.5);
    const hung = b.execute(
      () => new Promise(() => {}),
      () => 'fb',
    );
    clock.advance(100);
    await hung; // second failure: opens
    await b.execute(
      () => 1,
      () => 'fb',
    ); // rejected

    m = await read();
    const calls = (outcome: string) =>
      value(m, 'breakwater.breaker.calls', { ...name, [A.callOutcome]: outcome });
    expect(['success', 'failure', 'timeout', 'rejected', 'ignored'].map(calls)).toEqual([
      1, 1, 1, 1, 1,
    ]);
    expect(value(m, 'breakwater.breaker.fallbacks', name)).toBe(3);
    expect(value(m, 'breakwater.breaker.state', { ...name, [A.breakerState]: 'open' })).toBe(1);
    expect(value(m, 'breakwater.breaker.state', { ...name, [A.breakerState]: 'closed' })).toBe(0);
    expect(
      value(m, 'breakwater.breaker.state_transitions', {
        ...name,
        [A.stateFrom]: 'closed',
        [A.stateTo]: 'open',
      }),
    ).toBe(1);
    const h = m.find((x) => x.descriptor.name === 'breakwater.breaker.call.duration') as
      HistogramMetricData | undefined;
    expect(h?.descriptor.unit).toBe('s');
    const success = h?.dataPoints.find((p) => p.attributes[A.callOutcome] === 'success');
    expect(success?.value).toMatchObject({ count: 1, sum: 0.005 });
    expect(success?.value.buckets.boundaries).toEqual([0.01, 0.1]);
    const timeout = h?.dataPoints.find((p) => p.attributes[A.callOutcome] === 'timeout');
    expect(timeout?.value).toMatchObject({ count: 1, sum: 0.1 });

    dispose();
    dispose();
    clock.advance(1000);
    await b.execute(() => 1); // closes the breaker; no longer counted
    m = await read();
    expect(calls('success')).toBe(1);
    expect(value(m, 'breakwater.breaker.state', { ...name, [A.breakerState]: 'open' })).toBe(1);
    await provider.shutdown();
  });

  test('rejects what is not a breaker, and bad options', () => {
    expect(() => instrumentBreaker({} as never)).toThrow(TypeError);
    const b = new CircuitBreaker('x');
    expect(() => instrumentBreaker(b, { maxOperations: 3 } as never)).toThrow(
      /unknown option "maxOperations"/,
    );
    expect(() => instrumentBreaker(b, { buckets: [] })).toThrow(/buckets/);
  });
});

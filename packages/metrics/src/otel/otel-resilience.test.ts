/** The OpenTelemetry bulkhead and retry budget instruments, read through the SDK's in-memory exporter. */
import { Bulkhead, RetryBudget, createFakeClock } from '@breakwater/breaker';
import { describe, expect, test } from 'vitest';
import { inMemoryProvider, value } from '../../test/support/otel-reader.js';
import { OTEL_RESILIENCE_ATTRIBUTES as A } from './otel-names.js';
import { instrumentBulkhead, instrumentRetryBudget } from './otel-resilience.js';

const never = (): Promise<never> => new Promise<never>(() => {});

describe('OpenTelemetry instrumentBulkhead', () => {
  test('in flight, queued, capacity and rejections by reason, observed at collection', async () => {
    const { provider, read } = inMemoryProvider();
    const clock = createFakeClock();
    const b = new Bulkhead({
      name: 'search',
      maxConcurrent: 1,
      maxQueued: 1,
      queueTimeout: 10,
      clock,
    });
    const dispose = instrumentBulkhead(b, { meterProvider: provider });
    void b.execute(never);
    const queued = b.execute(never, () => 'fb');
    await b.execute(never, () => 'fb'); // full
    const byName = { [A.bulkheadName]: 'search' };
    let m = await read();
    expect(value(m, 'breakwater.bulkhead.in_flight', byName)).toBe(1);
    expect(value(m, 'breakwater.bulkhead.queued', byName)).toBe(1);
    expect(value(m, 'breakwater.bulkhead.max_concurrent', byName)).toBe(1);
    expect(
      value(m, 'breakwater.bulkhead.rejected', { ...byName, [A.bulkheadRejectionReason]: 'full' }),
    ).toBe(1);
    clock.advance(10);
    await queued;
    m = await read();
    expect(value(m, 'breakwater.bulkhead.queued', byName)).toBe(0);
    expect(
      value(m, 'breakwater.bulkhead.rejected', {
        ...byName,
        [A.bulkheadRejectionReason]: 'queue-timeout',
      }),
    ).toBe(1);
    dispose();
    dispose();
    // After dispose nothing is counted any more (the SDK may keep reporting the last value).
    void b.execute(never, () => 'fb'); // queued
    await b.execute(never, () => 'fb'); // full again
    m = await read();
    const full = value(m, 'breakwater.bulkhead.rejected', {
      ...byName,
      [A.bulkheadRejectionReason]: 'full',
    });
    expect(full === undefined || full === 1).toBe(true);
    await provider.shutdown();
  });
});

describe('OpenTelemetry instrumentRetryBudget', () => {
  test('requests, retries allowed / refused and availability, read from getStats()', async () => {
    const { provider, read } = inMemoryProvider();
    const budget = new RetryBudget({
      name: 'users',
      clock: createFakeClock(),
      minRetriesPerSecond: 0,
      retryRatio: 0.5,
    });
    const dispose = instrumentRetryBudget(budget, { meterProvider: provider });
    for (let i = 0; i < 4; i++) budget.recordRequest();
    budget.tryRetry();
    budget.tryRetry();
    budget.tryRetry();
    const byName = { [A.retryBudgetName]: 'users' };
    const m = await read();
    expect(value(m, 'breakwater.retry_budget.requests', byName)).toBe(4);
    expect(
      value(m, 'breakwater.retry_budget.retries', { ...byName, [A.retryResult]: 'allowed' }),
    ).toBe(2);
    expect(
      value(m, 'breakwater.retry_budget.retries', { ...byName, [A.retryResult]: 'refused' }),
    ).toBe(1);
    expect(value(m, 'breakwater.retry_budget.available', byName)).toBe(0);
    dispose();
    expect(() => instrumentRetryBudget({} as never, { meterProvider: provider })).toThrow(
      'budget.getStats must be a function',
    );
  });
});

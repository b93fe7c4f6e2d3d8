/** operationCounterReader: an adapter's own counts become increments, read when collected. */
import { describe, expect, test } from 'vitest';
import { Registry } from 'prom-client';
import { CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import { parseSamples } from '../test/support/exposition.js';
import { instrumentRedisAdapter } from './instrument-redis-adapter.js';
import { operationCounterReader } from './operation-counter-reader.js';
import type { AdapterOperationCounts, InstrumentableRedisAdapter } from './types.js';

/** A counter whose readings the test sets. */
function scriptedCounter() {
  let reading: AdapterOperationCounts[] = [];
  let closed = 0;
  return {
    set: (r: AdapterOperationCounts[]) => void (reading = r),
    closes: () => closed,
    counter: {
      read: () => reading,
      close: () => void closed++,
      capacity: 1000,
    },
  };
}
const counts = (
  operation: string,
  success: number,
  error = 0,
  fallback: AdapterOperationCounts['fallback'] = {},
): AdapterOperationCounts => ({ operation, success, error, fallback });

describe('operationCounterReader', () => {
  test('hands on what was added since the last pull; a new name first shows every series at 0', () => {
    const c = scriptedCounter();
    const got: string[] = [];
    const reader = operationCounterReader(c.counter, (op, result, reason, n) =>
      got.push(`${op} ${result}${reason ? `/${reason}` : ''} +${n}`),
    );
    c.set([counts('get', 2, 0, { timeout: 1 })]);
    reader.pull();
    expect(got.filter((g) => !g.endsWith('+0'))).toEqual([
      'get success +2',
      'get fallback/timeout +1',
    ]);
    expect(got).toHaveLength(2 + 9); // success, error and the nine fallback reasons
    got.length = 0;
    reader.pull();
    expect(got).toEqual([]);
    // Counts that went down (they never should) are ignored until they pass the last value.
    c.set([counts('get', 1, 0, { timeout: 3 }), counts('set', 0, 1)]);
    reader.pull();
    expect(got.filter((g) => !g.endsWith('+0'))).toEqual([
      'get fallback/timeout +2',
      'set error +1',
    ]);
    got.length = 0;
    c.set([counts('get', 4, 0, { timeout: 3 }), counts('set', 0, 1)]);
    reader.pull();
    expect(got).toEqual(['get success +2']);
    reader.close();
    expect(c.closes()).toBe(1);
  });

  test('a sink that throws can lose increments but never hand them on twice', () => {
    const c = scriptedCounter();
    const got: number[] = [];
    let fail = true;
    const reader = operationCounterReader(c.counter, (_op, result, _reason, n) => {
      if (result === 'error' && fail) throw new Error('sink bug');
      if (result === 'success') got.push(n);
    });
    c.set([counts('get', 3, 1)]);
    expect(() => reader.pull()).toThrow('sink bug');
    fail = false;
    c.set([counts('get', 5, 1)]);
    reader.pull();
    expect(got).toEqual([3, 2]);
  });

  test("instrumentRedisAdapter reads an adapter's counts at scrape time and subscribes no observer", async () => {
    const c = scriptedCounter();
    const events: string[] = [];
    const adapter: InstrumentableRedisAdapter = {
      name: 'cache',
      connectionState: 'ready',
      breaker: new CircuitBreaker('cache', { clock: createFakeClock() }),
      on: (event) => {
        events.push(event);
        return () => undefined;
      },
      observeOperations: () => {
        throw new Error('not expected: the counts are read instead');
      },
      countOperations: () => c.counter,
    };
    const registry = new Registry();
    const dispose = instrumentRedisAdapter(adapter, { registry });
    expect(events).toEqual(['reconnecting']);
    c.set([counts('get', 5, 1, { 'circuit-open': 2 })]);
    let s = parseSamples(await registry.metrics());
    expect(s.get('redis_operations_total{client="cache",operation="get",result="success"}')).toBe(
      5,
    );
    expect(s.get('redis_operations_total{client="cache",operation="get",result="fallback"}')).toBe(
      2,
    );
    expect(s.get('redis_operations_total{client="cache",operation="get",result="error"}')).toBe(1);
    expect(
      s.get('redis_fallbacks_total{client="cache",operation="get",reason="circuit-open"}'),
    ).toBe(2);
    // Scraped again with nothing new: the same values, not doubled.
    s = parseSamples(await registry.metrics());
    expect(s.get('redis_operations_total{client="cache",operation="get",result="success"}')).toBe(
      5,
    );
    dispose();
    expect(c.closes()).toBe(1);
    expect(await registry.metrics()).not.toContain('redis_operations_total{');
  });

  test('an instrumentation that keeps more names than the adapter counts observes every call instead', async () => {
    const c = scriptedCounter();
    const observed: string[] = [];
    const adapter: InstrumentableRedisAdapter = {
      name: 'cache',
      connectionState: 'ready',
      breaker: new CircuitBreaker('cache', { clock: createFakeClock() }),
      on: () => () => undefined,
      observeOperations: (observer, options) => {
        observed.push(`durations: ${String(options?.durations)}`);
        observer('get', 'success', undefined, NaN);
        return () => undefined;
      },
      countOperations: () => c.counter,
    };
    const registry = new Registry();
    instrumentRedisAdapter(adapter, { registry, maxOperations: 1000 });
    expect(c.closes()).toBe(1);
    expect(observed).toEqual(['durations: false']);
    const s = parseSamples(await registry.metrics());
    expect(s.get('redis_operations_total{client="cache",operation="get",result="success"}')).toBe(
      1,
    );
  });
});

/** instrumentBulkhead, instrumentRetryBudget and instrumentBreakerRegistry against the real primitives. */
import {
  BreakerRegistry,
  Bulkhead,
  CircuitBreaker,
  RetryBudget,
  createFakeClock,
} from '@breakwater/breaker';
import { Registry } from 'prom-client';
import type { RegistryContentType } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { parseSamples, promtoolCheck, samplesOf } from '../test/support/exposition.js';
import { isDuplicateInstrumentNameError } from './errors.js';
import { instrumentBreakerRegistry } from './instrument-breaker-registry.js';
import { instrumentBulkhead } from './instrument-bulkhead.js';
import { instrumentRetryBudget } from './instrument-retry-budget.js';
import type {
  InstrumentableBreakerRegistry,
  InstrumentableBulkhead,
  InstrumentableRetryBudget,
} from './types.js';

// The real classes satisfy the structural interfaces (a compile-time check).
export const asInstrumentable = (
  b: Bulkhead,
  r: RetryBudget,
  g: BreakerRegistry,
): [InstrumentableBulkhead, InstrumentableRetryBudget, InstrumentableBreakerRegistry] => [b, r, g];

const scrape = async (registry: Registry<RegistryContentType>): Promise<Map<string, number>> =>
  parseSamples(await registry.metrics());

const never = (): Promise<never> => new Promise<never>(() => {});

describe('instrumentBulkhead', () => {
  test('in flight, queued and capacity at scrape time; rejections by reason', async () => {
    const clock = createFakeClock();
    const registry = new Registry();
    const b = new Bulkhead({
      name: 'search',
      maxConcurrent: 2,
      maxQueued: 1,
      queueTimeout: 10,
      clock,
    });
    const dispose = instrumentBulkhead(b, { registry });
    let s = await scrape(registry);
    expect(samplesOf(s, 'bulkhead_rejected_total')).toEqual({
      'bulkhead_rejected_total{name="search",reason="full"}': 0,
      'bulkhead_rejected_total{name="search",reason="queue-timeout"}': 0,
    });
    void b.execute(never);
    void b.execute(never);
    const queued = b.execute(never, () => 'fb');
    await b.execute(never, () => 'fb'); // full
    s = await scrape(registry);
    expect(s.get('bulkhead_in_flight{name="search"}')).toBe(2);
    expect(s.get('bulkhead_queued{name="search"}')).toBe(1);
    expect(s.get('bulkhead_max_concurrent{name="search"}')).toBe(2);
    expect(s.get('bulkhead_rejected_total{name="search",reason="full"}')).toBe(1);
    clock.advance(10);
    await queued;
    s = await scrape(registry);
    expect(s.get('bulkhead_queued{name="search"}')).toBe(0);
    expect(s.get('bulkhead_rejected_total{name="search",reason="queue-timeout"}')).toBe(1);
    expect(promtoolCheck(await registry.metrics()).output).toBe('');
    dispose();
    expect([...(await scrape(registry)).keys()].filter((k) => k.includes('search'))).toEqual([]);
  });

  test('a second bulkhead with the same name is refused; bad input names the problem', () => {
    const registry = new Registry();
    instrumentBulkhead(new Bulkhead({ name: 'x' }), { registry });
    let error: unknown;
    try {
      instrumentBulkhead(new Bulkhead({ name: 'x' }), { registry });
    } catch (e) {
      error = e;
    }
    expect(isDuplicateInstrumentNameError(error)).toBe(true);
    expect(() => instrumentBulkhead({} as never, { registry })).toThrow(
      'bulkhead.on must be a function',
    );
  });
});

describe('instrumentRetryBudget', () => {
  test('requests, retries allowed / refused and availability, read at scrape time', async () => {
    const clock = createFakeClock();
    const registry = new Registry();
    const budget = new RetryBudget({
      name: 'users',
      clock,
      minRetriesPerSecond: 0,
      retryRatio: 0.5,
    });
    const dispose = instrumentRetryBudget(budget, { registry });
    let s = await scrape(registry);
    expect(samplesOf(s, 'retry_budget_retries_total')).toEqual({
      'retry_budget_retries_total{name="users",result="allowed"}': 0,
      'retry_budget_retries_total{name="users",result="refused"}': 0,
    });
    for (let i = 0; i < 4; i++) budget.recordRequest();
    budget.tryRetry();
    budget.tryRetry();
    budget.tryRetry();
    s = await scrape(registry);
    expect(s.get('retry_budget_requests_total{name="users"}')).toBe(4);
    expect(s.get('retry_budget_retries_total{name="users",result="allowed"}')).toBe(2);
    expect(s.get('retry_budget_retries_total{name="users",result="refused"}')).toBe(1);
    expect(s.get('retry_budget_available{name="users"}')).toBe(0);
    // A second scrape adds nothing twice.
    s = await scrape(registry);
    expect(s.get('retry_budget_requests_total{name="users"}')).toBe(4);
    expect(promtoolCheck(await registry.metrics()).output).toBe('');
    dispose();
    expect([...(await scrape(registry)).keys()].filter((k) => k.includes('users'))).toEqual([]);
  });
});

describe('instrumentBreakerRegistry', () => {
  const make = (clock = createFakeClock()) =>
    new BreakerRegistry(
      (key, initialState) =>
        new CircuitBreaker(`api@${key}`, { clock, failureThreshold: 1, initialState }),
      { name: 'api', maxKeys: 3, clock },
    );

  test('breakers by state, evictions by reason, per-breaker metrics up to the cap', async () => {
    const registry = new Registry();
    const breakers = make();
    breakers.get('a'); // instrumented at once
    const dispose = instrumentBreakerRegistry(breakers, { registry, maxKeys: 2 });
    await breakers.get('b').execute(
      () => Promise.reject(new Error('down')),
      () => null,
    );
    breakers.get('c'); // past the metrics cap: counted by state only
    let s = await scrape(registry);
    expect(samplesOf(s, 'breaker_registry_breakers')).toEqual({
      'breaker_registry_breakers{name="api",state="closed"}': 2,
      'breaker_registry_breakers{name="api",state="half-open"}': 0,
      'breaker_registry_breakers{name="api",state="open"}': 1,
    });
    expect(samplesOf(s, 'circuit_breaker_state')).toEqual({
      'circuit_breaker_state{name="api@a"}': 0,
      'circuit_breaker_state{name="api@b"}': 2,
    });
    // Evicting 'a' (LRU) frees a metrics place for the next new breaker.
    breakers.get('d');
    s = await scrape(registry);
    expect(s.get('breaker_registry_evictions_total{name="api",reason="lru"}')).toBe(1);
    expect(Object.keys(samplesOf(s, 'circuit_breaker_state')).sort()).toEqual([
      'circuit_breaker_state{name="api@b"}',
      'circuit_breaker_state{name="api@d"}',
    ]);
    // Evicting the open 'b' keeps its snapshot.
    breakers.get('e');
    breakers.get('f');
    s = await scrape(registry);
    expect(s.get('breaker_registry_remembered{name="api"}')).toBe(1);
    expect(promtoolCheck(await registry.metrics()).output).toBe('');
    dispose();
    const left = [...(await scrape(registry)).keys()].filter((k) => k.includes('api'));
    expect(left).toEqual([]);
  });

  test('rejects a bad maxKeys, naming it', () => {
    expect(() =>
      instrumentBreakerRegistry(make(), { registry: new Registry(), maxKeys: 0 }),
    ).toThrow('maxKeys must be an integer ≥ 1, got 0');
  });
});

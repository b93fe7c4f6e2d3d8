import { describe, expect, it } from 'vitest';
import { DegradationReporter } from './degradation-reporter.js';
import type { DegradedEvent } from './degradation-reporter.js';

describe('DegradationReporter', () => {
  it('counts by reason and operation and emits one event per report', () => {
    const r = new DegradationReporter('cache', 'app:');
    const seen: DegradedEvent[] = [];
    const off = r.onDegraded((e) => seen.push(e));
    r.report('get', 'timeout', 'miss');
    r.report('get', 'circuit-open', 'miss');
    r.report('set', 'circuit-open', 'skip');
    off();
    off();
    r.report('get', 'corrupt', 'miss');
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({
      recipe: 'cache',
      name: 'app:',
      operation: 'get',
      reason: 'timeout',
      outcome: 'miss',
    });
    expect(r.stats()).toEqual({
      degraded: 4,
      degradedByReason: { timeout: 1, 'circuit-open': 2, corrupt: 1 },
      degradedByOperation: { get: 3, set: 1 },
    });
  });

  it('a throwing listener disturbs neither the caller nor other listeners', () => {
    const r = new DegradationReporter('rate-limiter', 'login');
    let calls = 0;
    r.onDegraded(() => {
      throw new Error('listener bug');
    });
    r.onDegraded(() => (calls += 1));
    expect(() => r.report('consume', 'connection', 'deny')).not.toThrow();
    expect(calls).toBe(1);
  });

  it('stats() returns copies', () => {
    const r = new DegradationReporter('token-store', 't:');
    const s = r.stats();
    s.degradedByOperation.get = 99;
    expect(r.stats().degradedByOperation).toEqual({});
  });
});

import { describe, expect, it } from 'vitest';
import { deferred } from '../test/kit.js';
import { constantBackoff } from './backoff.js';
import { Bulkhead } from './bulkhead.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { isBrokenCircuitError, isBulkheadRejectedError, isTimeoutError } from './errors.js';
import { policy } from './policy.js';
import { RetryBudget } from './retry-budget.js';
import { createFakeClock } from './testing/fake-clock.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('policy', () => {
  it('with no layer, runs the op and settles as it does', async () => {
    const p = policy();
    await expect(p.execute(() => 1)).resolves.toBe(1);
    await expect(
      p.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });

  it('bulkhead outside the breaker: a turned-away call never reaches the breaker', async () => {
    const clock = createFakeClock(0);
    const bulkhead = new Bulkhead({ maxConcurrent: 1, clock });
    const breaker = new CircuitBreaker('dep', { clock, failureThreshold: 1 });
    const p = policy({ bulkhead, breaker });
    const d = deferred();
    const first = p.execute(() => d.promise);
    const reasons: unknown[] = [];
    await p.execute(
      () => 'never',
      (r) => reasons.push(r),
    );
    expect(isBulkheadRejectedError(reasons[0])).toBe(true);
    expect(breaker.getStats().failureCount + breaker.getStats().successCount).toBe(0);
    d.resolve('ok');
    await expect(first).resolves.toBe('ok');
    // The breaker's fallback is the same function: a counted failure falls back too.
    await p.execute(
      () => Promise.reject(new Error('down')),
      (r) => reasons.push(r),
    );
    expect(breaker.state).toBe('open');
    await p.execute(
      () => 'never',
      (r) => reasons.push(r),
    );
    expect(isBrokenCircuitError(reasons[2])).toBe(true);
  });

  it('timeout without a breaker: a private breaker that never opens enforces it', async () => {
    const clock = createFakeClock(0);
    const p = policy({ timeout: 20, clock });
    const reasons: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const pending = p.execute(
        () => new Promise(() => {}),
        (r) => reasons.push(r),
      );
      clock.advance(20);
      await pending;
    }
    expect(reasons).toHaveLength(10);
    expect(reasons.every(isTimeoutError)).toBe(true);
    // It never opened: the last call still ran the op (and timed out).
    expect((reasons[9] as { timeoutMs: number }).timeoutMs).toBe(20);
  });

  it('timeout with a breaker overrides its own per call', async () => {
    const clock = createFakeClock(0);
    const breaker = new CircuitBreaker('dep', { clock, timeout: 1000 });
    const p = policy({ breaker, timeout: 10 });
    const pending = p.execute(
      () => new Promise(() => {}),
      (r) => (isTimeoutError(r) ? r.timeoutMs : -1),
    );
    clock.advance(10);
    await expect(pending).resolves.toBe(10);
  });

  it('retry around everything, with a budget; the fallback only once retrying has ended', async () => {
    const clock = createFakeClock(0);
    const budget = new RetryBudget({ clock, minRetriesPerSecond: 0, retryRatio: 1 });
    const p = policy({
      retry: { attempts: 5, backoff: constantBackoff(1), timers: clock, budget },
    });
    let calls = 0;
    const result = p.execute(
      () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      (e) => (e as Error).message,
    );
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(1);
    }
    // One request, one token: two executions, then the fallback with the last error.
    await expect(result).resolves.toBe('fail 2');
    expect(calls).toBe(2);
  });

  it('an abort rejects with its reason, never the fallback', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueued: 1, queueTimeout: false });
    const p = policy({ bulkhead, retry: { attempts: 2 } });
    const d = deferred();
    void p.execute(() => d.promise);
    const ac = new AbortController();
    const queued = p.execute(
      () => 'x',
      () => 'fallback',
      { signal: ac.signal },
    );
    ac.abort(new Error('gone'));
    await expect(queued).rejects.toThrow('gone');
    d.resolve('x');
  });

  it('validates its layers once, naming them', async () => {
    expect(() => policy({ breaker: {} as never })).toThrow('breaker must be a CircuitBreaker');
    expect(() => policy({ bulkhead: 5 as never })).toThrow('bulkhead must be a Bulkhead');
    expect(() => policy({ timeout: 0 })).toThrow('timeout must be a finite number');
    expect(() => policy({ retry: { signal: new AbortController().signal } as never })).toThrow(
      'retry.signal is not allowed',
    );
    expect(() => policy({ fallback: () => 1 } as never)).toThrow(
      'Unknown policy option "fallback"',
    );
    await expect(policy().execute(5 as never)).rejects.toThrow('op must be a function');
  });
});

/** CircuitBreaker unit tests: Per-call timeouts, sync ops and fallbacks, manual control. */
import { describe, expect, it, vi } from 'vitest';
import { isTimeoutError } from './errors.js';
import { boom, ok, deferred, make, fail } from '../test/kit.js';

describe('CircuitBreaker: timeouts', () => {
  it('over time: failure, op signal aborted, rejects with TimeoutError', async () => {
    const { b, clock } = make({ timeout: 100 });
    let opSignal: AbortSignal | undefined;
    const timeouts = vi.fn();
    b.on('timeout', timeouts);
    const p = b.execute((signal) => {
      opSignal = signal;
      return new Promise<string>(() => {});
    });
    const caught = p.catch((e: unknown) => e);
    clock.advance(100);
    const err = await caught;
    expect(isTimeoutError(err)).toBe(true);
    expect(opSignal?.aborted).toBe(true);
    expect(opSignal?.reason).toBe(err);
    expect(timeouts).toHaveBeenCalledWith(expect.objectContaining({ durationMs: 100, error: err }));
    expect(b.getStats().failureCount).toBe(1);
  });

  it('with a fallback: resolves with fallback(TimeoutError); a per-call timeout overrides', async () => {
    const { b, clock } = make({ timeout: 10_000 });
    const p = b.execute(
      () => new Promise<string>(() => {}),
      (r) => r,
      { timeout: 50 },
    );
    clock.advance(50);
    expect(await p).toMatchObject({ name: 'TimeoutError', timeoutMs: 50 });
  });

  it('a call finishing in time is not affected and leaves no timer armed for long', async () => {
    const { b, clock } = make({ timeout: 100 });
    expect(await b.execute(ok)).toBe('ok');
    expect(await b.execute(ok)).toBe('ok');
    expect(clock.pendingTimers()).toBeLessThanOrEqual(1); // one shared timer, not one per call
    clock.advance(100);
    expect(clock.pendingTimers()).toBe(0);
    expect(b.getStats().successCount).toBe(2);
  });

  it('timeout: false per call disables the breaker timeout', async () => {
    const { b, clock } = make({ timeout: 100 });
    const d = deferred();
    const p = b.execute(() => d.promise, undefined, { timeout: false });
    clock.advance(1000);
    d.resolve('late');
    expect(await p).toBe('late');
  });

  it('rejects a non-function op or fallback without counting it', async () => {
    const { b } = make();
    await expect(b.execute(42 as unknown as () => string)).rejects.toThrow(
      new TypeError('op must be a function, got number'),
    );
    await expect(b.execute(ok, 'fb' as unknown as () => string)).rejects.toThrow(
      new TypeError('fallback must be a function, got string'),
    );
    expect(b.getStats()).toMatchObject({ failureCount: 0, successCount: 0 });
  });

  it('rejects an invalid per-call timeout', async () => {
    const { b } = make();
    await expect(b.execute(ok, undefined, { timeout: -1 })).rejects.toThrow(
      'timeout must be a finite number of milliseconds > 0 or false, got -1',
    );
  });
});

describe('CircuitBreaker: sync ops and fallbacks', () => {
  it('a sync op returning undefined is a success; a sync throw is a failure', async () => {
    const { b } = make();
    expect(await b.execute(() => undefined)).toBeUndefined();
    await expect(b.execute(boom)).rejects.toThrow('boom');
    expect(b.getStats()).toMatchObject({ successCount: 1, failureCount: 1 });
  });

  it('sync and async fallbacks receive the reason', async () => {
    const { b } = make();
    const err = new Error('e');
    expect(await b.execute(() => { throw err; }, (r) => r)).toBe(err); // prettier-ignore
    expect(
      await b.execute(
        () => Promise.reject(err),
        async (r) => [r],
      ),
    ).toEqual([err]);
  });

  it('a throwing fallback rejects the call', async () => {
    const { b } = make();
    await expect(b.execute(boom, () => boom())).rejects.toThrow('boom');
  });

  it('sync throw in a guarded (timeout) call is a failure too', async () => {
    const { b } = make({ timeout: 100 });
    await expect(b.execute(boom)).rejects.toThrow('boom');
    expect(b.getStats().failureCount).toBe(1);
  });
});

describe('CircuitBreaker: manual control', () => {
  it('forceOpen stays open until reset, with reason forced-open', async () => {
    const { b, clock } = make();
    b.forceOpen();
    clock.advance(1_000_000);
    await expect(b.execute(ok)).rejects.toMatchObject({ reason: 'forced-open', retryAfter: null });
    const reasons: unknown[] = [];
    await b.execute(ok, (r) => reasons.push(r));
    expect(reasons[0]).toMatchObject({ reason: 'forced-open' });
    expect(b.getStats()).toMatchObject({ state: 'open', forced: 'open', nextRetryTime: null });
    b.reset();
    expect(await b.execute(ok)).toBe('ok');
    expect(b.getStats().forced).toBeNull();
  });

  it('forceClosed never trips but still counts', async () => {
    const { b } = make();
    b.forceClosed();
    await fail(b, 10);
    expect(b.getStats()).toMatchObject({ state: 'closed', forced: 'closed', failureCount: 10 });
    b.reset();
    await fail(b, 3);
    expect(b.state).toBe('open');
  });

  it('reset closes and clears the window', async () => {
    const { b } = make();
    await fail(b, 3);
    b.reset();
    expect(b.getStats()).toMatchObject({ state: 'closed', failureCount: 0 });
    await fail(b, 2);
    expect(b.state).toBe('closed');
  });
});

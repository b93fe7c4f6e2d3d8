/** CircuitBreaker unit tests: Open and half-open: rejection, lazy transition, trial slots and limits, backoff. */
import { describe, expect, it, vi } from 'vitest';
import { isBrokenCircuitError, isTimeoutError, type BrokenCircuitError } from './errors.js';
import type { Backoff } from './backoff.js';
import { boom, ok, deferred, make, fail } from '../test/kit.js';

describe('CircuitBreaker: open and half-open', () => {
  it('rejects while open with a BrokenCircuitError that says when to retry', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(400);
    const err = (await b.execute(ok).catch((e: unknown) => e)) as BrokenCircuitError;
    expect(isBrokenCircuitError(err)).toBe(true);
    expect(err.retryAfter).toBe(600);
    expect(err.nextRetryTime).toBe(1_001_000);
    expect(err.breakerName).toBe('test');
    expect(err.state).toBe('open');
    expect(err.reason).toBe('open');
    expect(b.getStats().nextRetryTime).toBe(1_001_000);
  });

  it('passes the same BrokenCircuitError instance to every fallback of one open period', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    const reasons: unknown[] = [];
    for (let i = 0; i < 3; i++) await b.execute(ok, (r) => reasons.push(r));
    expect(reasons[0]).toBe(reasons[1]);
    expect(reasons[1]).toBe(reasons[2]);
    expect(isBrokenCircuitError(reasons[0])).toBe(true);
    clock.advance(1000);
    await b.execute(boom, () => 'fb'); // trial fails: a new open period
    await b.execute(ok, (r) => reasons.push(r));
    expect(reasons[3]).not.toBe(reasons[0]);
  });

  it('moves to half-open lazily, on the first call after resetTimeout, with no timer', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(999);
    expect(await b.execute(ok, () => 'fb')).toBe('fb');
    clock.advance(1);
    expect(b.state).toBe('open'); // nothing happens without a call
    const d = deferred();
    const p = b.execute(() => d.promise);
    expect(b.state).toBe('half-open');
    d.resolve('trial');
    expect(await p).toBe('trial');
    expect(b.state).toBe('closed');
  });

  it('half-open admits at most halfOpenMaxAttempts trials and rejects the rest at once', async () => {
    const { b, clock } = make({ halfOpenMaxAttempts: 2 });
    await fail(b, 3);
    clock.advance(1000);
    const d1 = deferred();
    const d2 = deferred();
    const t1 = b.execute(() => d1.promise);
    const t2 = b.execute(() => d2.promise);
    const rejected = vi.fn();
    b.on('rejected', rejected);
    const op = vi.fn(ok);
    await expect(b.execute(op)).rejects.toMatchObject({
      reason: 'half-open-full',
      state: 'half-open',
    });
    expect(await b.execute(op, () => 'fb')).toBe('fb');
    expect(op).not.toHaveBeenCalled();
    expect(rejected).toHaveBeenCalledWith({ name: 'test', reason: 'half-open-full' });
    expect(b.getStats().halfOpenInFlight).toBe(2);
    d1.resolve('a');
    d2.resolve('b');
    expect(await t1).toBe('a');
    expect(await t2).toBe('b');
    expect(b.state).toBe('closed');
  });

  it('a trial failure re-opens; a trial success closes and clears the window', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(1000);
    await b.execute(boom, () => 'fb');
    expect(b.state).toBe('open');
    clock.advance(999);
    expect(await b.execute(ok, () => 'fb')).toBe('fb');
    clock.advance(1);
    expect(await b.execute(ok)).toBe('ok');
    expect(b.state).toBe('closed');
    expect(b.getStats()).toMatchObject({ failureCount: 0, successCount: 0 });
  });

  it('a hung trial is bounded by halfOpenTimeout: counts as failed, re-opens, settles with TimeoutError', async () => {
    const { b, clock } = make({ halfOpenTimeout: 500 });
    await fail(b, 3);
    clock.advance(1000);
    let seen: AbortSignal | undefined;
    const reasons: string[] = [];
    b.on('stateChange', (e) => reasons.push(e.reason));
    const p = b.execute((signal) => {
      seen = signal;
      return new Promise<string>(() => {});
    });
    const caught = p.catch((e: unknown) => e);
    expect(b.state).toBe('half-open');
    clock.advance(500);
    const err = await caught;
    expect(isTimeoutError(err)).toBe(true);
    expect(err).toMatchObject({ timeoutMs: 500 });
    expect(seen?.aborted).toBe(true);
    expect(b.state).toBe('open');
    expect(reasons).toEqual(['reset-timeout', 'trial-timeout']);
    expect(b.toJSON().openAttempt).toBe(1);
  });

  it('a hung trial with a fallback settles with fallback(TimeoutError); default halfOpenTimeout is 10 s', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(1000);
    const p = b.execute(
      () => new Promise<string>(() => {}),
      (r) => r,
    );
    clock.advance(9_999);
    expect(b.state).toBe('half-open');
    clock.advance(1);
    expect(isTimeoutError(await p)).toBe(true);
    expect(b.state).toBe('open');
  });

  it('halfOpenTimeout defaults to the call timeout when one is set', async () => {
    const { b, clock } = make({ timeout: 200 });
    await fail(b, 3);
    clock.advance(1000);
    const p = b.execute(
      () => new Promise<string>(() => {}),
      (r) => r,
    );
    clock.advance(200);
    expect(await p).toMatchObject({ timeoutMs: 200 });
    expect(b.state).toBe('open');
  });

  it('a Backoff resetTimeout lengthens the open period with each failed trial', async () => {
    const calls: Array<[number, number | undefined]> = [];
    const backoff: Backoff = {
      delay(attempt, previous) {
        calls.push([attempt, previous]);
        return 100 * 2 ** attempt;
      },
    };
    const { b, clock } = make({ resetTimeout: backoff });
    await fail(b, 3);
    const periods: number[] = [];
    for (let i = 0; i < 3; i++) {
      const until = b.getStats().nextRetryTime!;
      periods.push(until - clock.now());
      clock.advance(until - clock.now());
      await b.execute(boom, () => 'fb');
    }
    expect(periods).toEqual([100, 200, 400]);
    expect(calls).toEqual([
      [0, undefined],
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
    clock.advance(800);
    await b.execute(ok);
    await fail(b, 3);
    expect(b.getStats().nextRetryTime! - clock.now()).toBe(100); // attempts reset after closing
  });
});

import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { isBrokenCircuitError, isTimeoutError, type BrokenCircuitError } from './errors.js';
import { createFakeClock, type FakeClock } from './testing/fake-clock.js';
import type { Backoff } from './backoff.js';
import type { CircuitBreakerOptions } from './types.js';

const boom = (): never => {
  throw new Error('boom');
};
const ok = async (): Promise<string> => 'ok';

function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function make(opts: CircuitBreakerOptions = {}): { b: CircuitBreaker; clock: FakeClock } {
  const clock = createFakeClock(1_000_000);
  const b = new CircuitBreaker('test', {
    failureThreshold: 3,
    resetTimeout: 1000,
    monitoringWindow: 10_000,
    clock,
    ...opts,
  });
  return { b, clock };
}

async function fail(b: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await b.execute(boom, () => 'fb');
}

describe('CircuitBreaker: closed → open', () => {
  it('3 failures in a row open a threshold-3 breaker', async () => {
    const { b } = make();
    await fail(b, 2);
    expect(b.state).toBe('closed');
    await fail(b, 1);
    expect(b.state).toBe('open');
  });

  it('without a fallback the op rejection is passed through unchanged and counted before the caller resumes', async () => {
    const { b } = make();
    const err = new Error('down');
    const op = async (): Promise<string> => {
      throw err;
    };
    for (let i = 0; i < 3; i++) await expect(b.execute(op)).rejects.toBe(err);
    expect(b.state).toBe('open');
    // thenables that are not native promises work too
    const c = make().b;
    const thenable = {
      then: (res: (v: string) => void) => res('t'),
    } as unknown as PromiseLike<string>;
    expect(await c.execute(() => thenable)).toBe('t');
    expect(c.getStats().successCount).toBe(1);
  });

  it('1% failures over 1000 calls never trips', async () => {
    const { b, clock } = make({ failureRateThreshold: 0.05, monitoringWindow: 60_000 });
    for (let i = 0; i < 1000; i++) {
      if (i % 100 === 99) await b.execute(boom, () => 'fb');
      else await b.execute(ok);
      clock.advance(10);
    }
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(10);
  });

  it('nine failures, an hour of silence, one failure: stays closed', async () => {
    const { b, clock } = make({ failureThreshold: 10, failureRateThreshold: 0 });
    await fail(b, 9);
    clock.advance(3_600_000);
    await fail(b, 1);
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(1);
  });

  it('failures older than the window expire', async () => {
    const { b, clock } = make();
    await fail(b, 2);
    clock.advance(10_000);
    await fail(b, 1);
    expect(b.state).toBe('closed');
    await fail(b, 2);
    expect(b.state).toBe('open');
  });

  it('short-circuited calls never enter the denominator', async () => {
    const { b, clock } = make({ failureRateThreshold: 0.5 });
    await fail(b, 3);
    for (let i = 0; i < 100; i++) await b.execute(ok, () => 'fb');
    clock.advance(1000);
    await b.execute(ok); // trial success closes
    expect(b.state).toBe('closed');
    await fail(b, 3);
    expect(b.state).toBe('open');
  });

  it('slow-call rule opens on slow successes', async () => {
    const { b, clock } = make({ slowCallDuration: 100, slowCallRateThreshold: 0.5 });
    const slow = async (): Promise<string> => {
      clock.advance(150);
      return 'slow';
    };
    const events: string[] = [];
    b.on('stateChange', (e) => events.push(e.reason));
    await b.execute(slow);
    await b.execute(slow);
    expect(b.state).toBe('closed'); // fewer than failureThreshold calls
    await b.execute(slow);
    expect(b.state).toBe('open');
    expect(events).toEqual(['slow-call-threshold']);
    expect(b.getStats().slowCallCount).toBe(3); // the window is kept while open
  });
});

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

describe('CircuitBreaker: generation fencing', () => {
  it('a slow closed-era success finishing in half-open does not close the circuit', async () => {
    const { b, clock } = make();
    const slow = deferred();
    const p = b.execute(() => slow.promise);
    await fail(b, 3);
    clock.advance(1000);
    const trial = deferred();
    const t = b.execute(() => trial.promise);
    expect(b.state).toBe('half-open');
    const success = vi.fn();
    b.on('success', success);
    slow.resolve('late');
    expect(await p).toBe('late');
    expect(b.state).toBe('half-open');
    expect(success).toHaveBeenCalledTimes(1); // the outcome event is still emitted
    trial.reject(new Error('down'));
    await t.catch(() => {});
    expect(b.state).toBe('open');
  });

  it('a late closed-era failure does not re-open a half-open that just closed', async () => {
    const { b, clock } = make({ halfOpenMaxAttempts: 1 });
    const late = deferred();
    const p = b.execute(
      () => late.promise,
      () => 'fb',
    );
    await fail(b, 3);
    clock.advance(1000);
    await b.execute(ok);
    expect(b.state).toBe('closed');
    late.reject(new Error('old'));
    expect(await p).toBe('fb');
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(0);
  });

  it('a stale trial from an earlier half-open period does not free a slot of the current one', async () => {
    const { b, clock } = make({ halfOpenMaxAttempts: 2, isFailure: (e) => e !== 'neutral' });
    await fail(b, 3);
    clock.advance(1000);
    const a = deferred();
    const pa = b.execute(() => a.promise).catch(() => 'x');
    await b.execute(boom, () => 'fb'); // second trial fails: re-open
    clock.advance(1000);
    const c = deferred();
    const pc = b.execute(() => c.promise);
    expect(b.getStats()).toMatchObject({ state: 'half-open', halfOpenInFlight: 1 });
    a.reject('neutral');
    await pa;
    expect(b.getStats().halfOpenInFlight).toBe(1);
    c.resolve('ok');
    expect(await pc).toBe('ok');
  });

  it('calls in flight across reset() do not count', async () => {
    const { b } = make();
    const ds = [deferred(), deferred(), deferred()];
    const ps = ds.map((d) =>
      b.execute(
        () => d.promise,
        () => 'fb',
      ),
    );
    b.reset();
    ds.forEach((d) => d.reject(new Error('x')));
    await Promise.all(ps);
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(0);
  });
});

describe('CircuitBreaker: classification and cancellation', () => {
  class NotFound extends Error {}
  it('errors isFailure rejects are rethrown unchanged, skip the fallback and count neither way', async () => {
    const { b } = make({ isFailure: (e) => !(e instanceof NotFound) });
    const nf = new NotFound('nope');
    const fallback = vi.fn(() => 'fb');
    const ignored = vi.fn();
    b.on('ignored', ignored);
    for (let i = 0; i < 5; i++) {
      await expect(b.execute(() => Promise.reject(nf), fallback)).rejects.toBe(nf);
    }
    expect(fallback).not.toHaveBeenCalled();
    expect(ignored).toHaveBeenCalledTimes(5);
    expect(ignored.mock.calls[0]![0]).toMatchObject({ name: 'test', error: nf });
    expect(b.getStats()).toMatchObject({ failureCount: 0, successCount: 0, state: 'closed' });
  });

  it('an ignored trial releases its slot without closing', async () => {
    const { b, clock } = make({ isFailure: (e) => !(e instanceof NotFound) });
    await fail(b, 3);
    clock.advance(1000);
    await expect(b.execute(() => Promise.reject(new NotFound()))).rejects.toBeInstanceOf(NotFound);
    expect(b.state).toBe('half-open');
    expect(b.getStats().halfOpenInFlight).toBe(0);
    expect(await b.execute(ok)).toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('a throwing isFailure counts the error as a failure', async () => {
    const { b } = make({ isFailure: () => boom() });
    await fail(b, 3);
    expect(b.state).toBe('open');
  });

  it('a caller abort rejects promptly with the reason, no fallback, neutral; the op sees it', async () => {
    const { b } = make();
    const ac = new AbortController();
    let opSignal: AbortSignal | undefined;
    const fallback = vi.fn();
    const p = b.execute(
      (signal) => {
        opSignal = signal;
        return new Promise<string>(() => {});
      },
      fallback,
      { signal: ac.signal },
    );
    const reason = new Error('caller gave up');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(opSignal?.aborted).toBe(true);
    expect(fallback).not.toHaveBeenCalled();
    expect(b.getStats()).toMatchObject({ failureCount: 0, successCount: 0 });
  });

  it('a caller abort combined with a timeout aborts the op with the caller reason', async () => {
    const { b } = make({ timeout: 1000 });
    const ac = new AbortController();
    let opSignal: AbortSignal | undefined;
    const p = b.execute(
      (signal) => {
        opSignal = signal;
        return new Promise<string>(() => {});
      },
      undefined,
      { signal: ac.signal },
    );
    ac.abort('stop');
    await expect(p).rejects.toBe('stop');
    expect(opSignal?.reason).toBe('stop');
  });

  it('an already-aborted signal rejects without running the op', async () => {
    const { b } = make();
    const op = vi.fn(ok);
    await expect(b.execute(op, undefined, { signal: AbortSignal.abort('early') })).rejects.toBe(
      'early',
    );
    expect(op).not.toHaveBeenCalled();
  });

  it('an aborted trial releases its slot', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(1000);
    const ac = new AbortController();
    const p = b.execute(() => new Promise<string>(() => {}), undefined, { signal: ac.signal });
    ac.abort();
    await p.catch(() => {});
    expect(b.getStats()).toMatchObject({ state: 'half-open', halfOpenInFlight: 0 });
  });
});

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

describe('CircuitBreaker: events', () => {
  it('emits every outcome with durations', async () => {
    const { b, clock } = make({ timeout: 100 });
    const log: string[] = [];
    for (const ev of [
      'stateChange',
      'success',
      'failure',
      'timeout',
      'rejected',
      'fallback',
      'ignored',
    ] as const) {
      b.on(ev, (e) => log.push(`${ev}:${'durationMs' in e ? e.durationMs : ''}`));
    }
    await b.execute(async () => {
      clock.advance(5);
      return 1;
    });
    await b.execute(boom, () => 0);
    const p = b.execute(
      () => new Promise<string>(() => {}),
      () => 'fb',
    );
    clock.advance(100);
    await p;
    await b.execute(boom, () => 0); // third failure: opens
    await b.execute(ok, () => 'fb');
    const ac = new AbortController();
    b.reset();
    const q = b.execute(() => new Promise<string>(() => {}), undefined, { signal: ac.signal });
    ac.abort();
    await q.catch(() => {});
    expect(log).toEqual([
      'success:5',
      'failure:0',
      'fallback:',
      'timeout:100',
      'fallback:',
      'stateChange:',
      'failure:0',
      'fallback:',
      'rejected:',
      'fallback:',
      'stateChange:',
      'ignored:0',
    ]);
  });

  it('stateChange payloads; unsubscribe works; a throwing listener breaks nothing', async () => {
    const { b, clock } = make();
    const changes: unknown[] = [];
    const off = b.on('stateChange', (e) => changes.push(e));
    b.on('stateChange', () => {
      throw new Error('listener bug');
    });
    await fail(b, 3);
    expect(changes).toEqual([
      { name: 'test', from: 'closed', to: 'open', reason: 'failure-threshold', at: 1_000_000 },
    ]);
    off();
    off();
    clock.advance(1000);
    expect(await b.execute(ok)).toBe('ok');
    expect(changes).toHaveLength(1);
    expect(b.state).toBe('closed');
  });

  it('a listener may call breaker methods re-entrantly', async () => {
    const { b } = make();
    b.on('stateChange', (e) => {
      if (e.to === 'open') b.reset();
    });
    await fail(b, 3);
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(0);
  });
});

describe('CircuitBreaker: snapshots', () => {
  it('round-trips an open breaker with the remaining open time', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(400);
    const snap = JSON.parse(JSON.stringify(b.toJSON()));
    expect(snap).toEqual({
      version: 1,
      state: 'open',
      openRemainingMs: 600,
      openAttempt: 0,
      forced: null,
    });
    const clock2 = createFakeClock(5);
    const c = new CircuitBreaker('copy', { clock: clock2, resetTimeout: 1000, initialState: snap });
    expect(c.state).toBe('open');
    expect(c.getStats().nextRetryTime).toBe(605);
    clock2.advance(600);
    expect(await c.execute(ok)).toBe('ok');
    expect(c.state).toBe('closed');
  });

  it('round-trips forced states and half-open', () => {
    const { b } = make();
    b.forceOpen();
    const snap = JSON.parse(JSON.stringify(b.toJSON()));
    expect(snap).toMatchObject({ state: 'open', forced: 'open', openRemainingMs: null });
    expect(new CircuitBreaker('x', { initialState: snap }).getStats().forced).toBe('open');
    b.forceClosed();
    expect(new CircuitBreaker('x', { initialState: b.toJSON() }).getStats()).toMatchObject({
      state: 'closed',
      forced: 'closed',
    });
    const h = new CircuitBreaker('x', {
      initialState: {
        version: 1,
        state: 'half-open',
        openRemainingMs: null,
        openAttempt: 2,
        forced: null,
      },
    });
    expect(h.toJSON()).toEqual({
      version: 1,
      state: 'half-open',
      openRemainingMs: null,
      openAttempt: 2,
      forced: null,
    });
  });
});

describe('CircuitBreaker: construction', () => {
  it('never mutates the options object and uses the name', () => {
    const opts = Object.freeze({ failureThreshold: 2 });
    const b = new CircuitBreaker('redis', opts);
    expect(b.name).toBe('redis');
    expect(b.state).toBe('closed');
  });

  it('creates no timer for an idle breaker (system clock)', () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = count();
    const bs = Array.from({ length: 100 }, (_, i) => new CircuitBreaker(`b${i}`, { timeout: 100 }));
    expect(count() - before).toBe(0);
    expect(bs).toHaveLength(100);
  });
});

describe('README examples', () => {
  it('FAQ: testing with a fake clock', async () => {
    const clock = createFakeClock();
    const breaker = new CircuitBreaker('db', {
      clock,
      failureThreshold: 1,
      resetTimeout: 1000,
      timeout: 50,
    });
    const pending = breaker.execute(
      () => new Promise(() => {}),
      () => 'fallback',
    );
    clock.advance(50);
    expect(await pending).toBe('fallback');
    expect(breaker.state).toBe('open');
    clock.advance(1000);
    const trial = breaker.execute(() => 'ok'); // a sync trial: settles at once
    expect(await trial).toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});

/**
 * Edge cases found in review: malformed per-call options, deadlines beyond the longest delay
 * `setTimeout` honours. Each test failed before its fix.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { isTimeoutError } from './errors.js';
import { createFakeClock } from './testing/fake-clock.js';
import type { ExecuteOptions } from './types.js';

const boom = (): never => {
  throw new Error('boom');
};

/** Open (100 ms reset timeout, one trial slot), clock advanced: the next call is a trial. */
async function halfOpen() {
  const clock = createFakeClock(0);
  const b = new CircuitBreaker('edge', { clock, failureThreshold: 1, resetTimeout: 100 });
  await b.execute(boom, () => 'fb');
  clock.advance(100);
  return { b, clock };
}

describe('CircuitBreaker: malformed per-call options', () => {
  it('a signal that is not an AbortSignal rejects (never throws) and leaks no trial slot', async () => {
    const { b, clock } = await halfOpen();
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = b.execute(() => 'x', undefined, { signal: {} as AbortSignal });
    }).not.toThrow();
    await expect(p).rejects.toThrow(TypeError);
    await expect(p).rejects.toThrow('signal must be an AbortSignal, got an object');
    // The rejected call was never admitted: the next call is the trial and closes the circuit.
    expect(await b.execute(() => 'trial')).toBe('trial');
    expect(b.state).toBe('closed');
    // And no stray deadline records a timeout later.
    clock.advance(60_000);
    expect(b.getStats().failureCount).toBe(0);
  });

  it('an unknown per-call option rejects with a TypeError naming it', async () => {
    const b = new CircuitBreaker('edge', { clock: createFakeClock() });
    const opts = { timeot: 5 } as unknown as ExecuteOptions;
    await expect(b.execute(() => 1, undefined, opts)).rejects.toThrow(
      'Unknown execute option "timeot"',
    );
    expect(b.getStats().successCount).toBe(0);
    // Keys with undefined values are fine (callers forward optional fields).
    const fine = { signal: undefined, timeout: undefined };
    await expect(b.execute(() => 2, undefined, fine)).resolves.toBe(2);
  });

  it('options that are not an object reject with a TypeError', async () => {
    const b = new CircuitBreaker('edge', { clock: createFakeClock() });
    const opts = 5 as unknown as ExecuteOptions;
    await expect(b.execute(() => 1, undefined, opts)).rejects.toThrow(
      'execute options must be an object, got 5',
    );
  });
});

describe('CircuitBreaker: deadlines beyond the setTimeout limit', () => {
  it('never asks for a timer longer than MAX_TIMER_DELAY, and still expires on time', async () => {
    const clock = createFakeClock(0);
    const asked: number[] = [];
    const setTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, ms) => {
      asked.push(ms);
      return setTimeout(fn, ms);
    };
    const limit = 3 * MAX_TIMER_DELAY;
    const b = new CircuitBreaker('edge', { clock, timeout: limit });
    let settled: unknown = 'pending';
    const p = b.execute(() => new Promise<never>(() => {}));
    p.then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    // Node fires a longer setTimeout after 1 ms (and warns): the breaker would spin.
    expect(Math.max(...asked)).toBeLessThanOrEqual(MAX_TIMER_DELAY);
    clock.advance(limit - 1);
    await Promise.resolve();
    expect(settled).toBe('pending');
    expect(asked.length).toBeLessThanOrEqual(4);
    clock.advance(1);
    await expect(p).rejects.toSatisfy(isTimeoutError);
    expect(asked.every((ms) => ms <= MAX_TIMER_DELAY)).toBe(true);
  });
});

describe('CircuitBreaker: trial slots on unusual paths', () => {
  it('a stateChange listener that starts a call during open → half-open takes the slot; the outer call is rejected at once', async () => {
    const { b } = await halfOpen();
    let release!: (v: string) => void;
    let nested: Promise<unknown> | undefined;
    b.on('stateChange', (e) => {
      if (e.to === 'half-open' && nested === undefined) {
        nested = b.execute(() => new Promise<string>((res) => (release = res)));
      }
    });
    const outer = await b.execute(
      () => 'outer',
      (r) => r,
    );
    expect(outer).toMatchObject({ name: 'BrokenCircuitError', reason: 'half-open-full' });
    expect(b.getStats().halfOpenInFlight).toBe(1);
    release('nested');
    expect(await nested).toBe('nested');
    expect(b.state).toBe('closed');
  });

  it('a trial whose fallback rejects re-opens the circuit and rejects with the fallback error', async () => {
    const { b, clock } = await halfOpen();
    const fbError = new Error('fallback down');
    await expect(b.execute(boom, () => Promise.reject(fbError))).rejects.toBe(fbError);
    expect(b.state).toBe('open');
    clock.advance(100);
    expect(await b.execute(() => 'trial')).toBe('trial');
    expect(b.state).toBe('closed');
  });

  it('a trial whose isFailure throws counts as failed (re-opens), never leaves the slot taken', async () => {
    const clock = createFakeClock(0);
    const isFailure = (): boolean => {
      throw new Error('predicate bug');
    };
    const b = new CircuitBreaker('edge', {
      clock,
      failureThreshold: 1,
      resetTimeout: 100,
      isFailure,
    });
    await b.execute(boom, () => 'fb');
    clock.advance(100);
    expect(await b.execute(boom, () => 'fb')).toBe('fb');
    expect(b.state).toBe('open');
  });

  it('an ignored trial error skips a throwing fallback and frees the slot', async () => {
    const clock = createFakeClock(0);
    const ignored = new Error('ignored');
    const b = new CircuitBreaker('edge', {
      clock,
      failureThreshold: 1,
      resetTimeout: 100,
      isFailure: (e) => e !== ignored,
    });
    await b.execute(boom, () => 'fb');
    clock.advance(100);
    const fallback = (): never => {
      throw new Error('must not run');
    };
    await expect(b.execute(() => Promise.reject(ignored), fallback)).rejects.toBe(ignored);
    expect(b.state).toBe('half-open');
    expect(b.getStats().halfOpenInFlight).toBe(0);
    expect(await b.execute(() => 'next trial')).toBe('next trial');
  });

  it('abort after a trial timed out changes nothing; a deadline after an abort records nothing', async () => {
    const { b, clock } = await halfOpen();
    const events: string[] = [];
    for (const e of ['timeout', 'ignored', 'failure', 'success'] as const) {
      b.on(e, () => events.push(e));
    }
    // 1. Times out (halfOpenTimeout defaults to 10 s), then the caller aborts.
    const ac1 = new AbortController();
    const p1 = b.execute(
      (s) => new Promise((_, rej) => s.addEventListener('abort', () => rej(s.reason))),
      undefined,
      { signal: ac1.signal },
    );
    clock.advance(10_000);
    await expect(p1).rejects.toSatisfy(isTimeoutError);
    ac1.abort(new Error('late abort'));
    expect(events).toEqual(['timeout']);
    expect(b.state).toBe('open');
    // 2. The next trial is aborted by the caller, then its deadline passes.
    clock.advance(100_000);
    const ac2 = new AbortController();
    const p2 = b.execute(() => new Promise<never>(() => {}), undefined, { signal: ac2.signal });
    ac2.abort(new Error('caller gave up'));
    await expect(p2).rejects.toThrow('caller gave up');
    clock.advance(10_000);
    expect(events).toEqual(['timeout', 'ignored']);
    expect(b.state).toBe('half-open');
    expect(b.getStats().halfOpenInFlight).toBe(0);
  });
});

describe('CircuitBreaker: misuse that must not fail silently', () => {
  it('subscribing to an unknown event throws a TypeError naming it', () => {
    const b = new CircuitBreaker('edge', { clock: createFakeClock() });
    const on = b.on.bind(b) as (event: string, listener: () => void) => unknown;
    expect(() => on('stateChanged', () => {})).toThrow(
      new TypeError(
        'Unknown event "stateChanged" (expected stateChange, success, failure, timeout, rejected, fallback or ignored)',
      ),
    );
  });

  it('a Backoff resetTimeout returning Infinity does not keep the circuit open forever', async () => {
    const clock = createFakeClock(0);
    const b = new CircuitBreaker('edge', {
      clock,
      failureThreshold: 1,
      resetTimeout: { delay: () => Infinity },
    });
    await b.execute(boom, () => 'fb');
    expect(b.state).toBe('open');
    expect(b.getStats().nextRetryTime).toBe(0); // treated like a bad value: 0 ms, logged
    expect(await b.execute(() => 'trial')).toBe('trial');
    expect(b.state).toBe('closed');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff, type Backoff } from './backoff.js';
import { BrokenCircuitError } from './errors.js';
import { retry, type RetryInfo, type RetryOptions } from './retry.js';

/** Injected fake timers: records every scheduled delay and every clear; time moves only on `advance`. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const scheduled: number[] = [];
  const cleared: unknown[] = [];
  return {
    pending,
    scheduled,
    cleared,
    setTimeout(fn: () => void, ms: number): unknown {
      const id = ++seq;
      pending.set(id, { at: now + ms, fn });
      scheduled.push(ms);
      return id;
    },
    clearTimeout(handle: unknown): void {
      cleared.push(handle);
      pending.delete(handle as number);
    },
    /** Fires due timers in order, letting promise callbacks run between them. */
    async advance(ms: number): Promise<void> {
      const target = now + ms;
      await flush();
      for (;;) {
        const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (next === undefined || next[1].at > target) break;
        pending.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await flush();
      }
      now = target;
    },
  };
}
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A settled-state probe for a promise. */
function track<T>(p: Promise<T>) {
  const s: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    state: 'pending',
  };
  p.then(
    (value) => Object.assign(s, { state: 'resolved', value }),
    (error: unknown) => Object.assign(s, { state: 'rejected', error }),
  );
  return s;
}

/** fn that fails `failures` times (sync throws when `sync`), then returns 'ok'. */
function flaky(failures: number, sync = false) {
  const errors: Error[] = [];
  const fn = vi.fn((attempt: number) => {
    if (attempt <= failures) {
      const e = new Error(`fail ${attempt}`);
      errors.push(e);
      if (sync) throw e;
      return Promise.reject(e);
    }
    return sync ? 'ok' : Promise.resolve('ok');
  });
  return { fn, errors };
}

const broken = (retryAfter: number | null): BrokenCircuitError =>
  new BrokenCircuitError({
    breakerName: 'redis',
    state: 'open',
    reason: 'open',
    retryAfter,
    nextRetryTime: retryAfter,
  });

afterEach(() => {
  vi.useRealTimers();
});

describe('retry: executions', () => {
  it('resolves on first success without any timer', async () => {
    const t = fakeTimers();
    const { fn } = flaky(0);
    await expect(retry(fn, { timers: t })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(t.scheduled).toEqual([]);
  });

  it.each([false, true])('retries failures until success (sync fn: %s)', async (sync) => {
    const t = fakeTimers();
    const { fn } = flaky(2, sync);
    const s = track(retry(fn, { attempts: 3, backoff: constantBackoff(10), timers: t }));
    await t.advance(9);
    expect(fn).toHaveBeenCalledTimes(1);
    await t.advance(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await t.advance(10);
    expect(s).toEqual({ state: 'resolved', value: 'ok' });
    expect(fn.mock.calls.map((c) => c[0])).toEqual([1, 2, 3]);
    expect(t.scheduled).toEqual([10, 10]);
  });

  it.each([1, 2, 3, 5])(
    'attempts: %i means exactly that many executions, then the LAST error unchanged',
    async (attempts) => {
      const t = fakeTimers();
      const { fn, errors } = flaky(100);
      const s = track(retry(fn, { attempts, backoff: constantBackoff(10), timers: t }));
      await t.advance(1000);
      expect(fn).toHaveBeenCalledTimes(attempts);
      expect(s.state).toBe('rejected');
      expect(s.error).toBe(errors[attempts - 1]);
      expect(t.scheduled).toHaveLength(attempts - 1);
    },
  );

  it('defaults to 3 executions', async () => {
    const t = fakeTimers();
    const { fn } = flaky(100);
    const s = track(retry(fn, { backoff: constantBackoff(1), timers: t }));
    await t.advance(100);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(s.state).toBe('rejected');
  });

  it('attempts: Infinity retries until success', async () => {
    const t = fakeTimers();
    const { fn } = flaky(50);
    const s = track(retry(fn, { attempts: Infinity, backoff: constantBackoff(1), timers: t }));
    await t.advance(100);
    expect(s).toEqual({ state: 'resolved', value: 'ok' });
    expect(fn).toHaveBeenCalledTimes(51);
  });

  it('passes the signal to fn', async () => {
    const ac = new AbortController();
    const fn = vi.fn(() => 1);
    await retry(fn, { signal: ac.signal });
    expect(fn).toHaveBeenCalledWith(1, ac.signal);
  });
});

describe('retry: shouldRetry', () => {
  it('stops when shouldRetry returns false and rethrows that error', async () => {
    const t = fakeTimers();
    const { fn, errors } = flaky(100);
    const shouldRetry = vi.fn((_e: unknown, attempt: number) => attempt < 2);
    const s = track(
      retry(fn, { attempts: 10, shouldRetry, backoff: constantBackoff(5), timers: t }),
    );
    await t.advance(100);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(s.error).toBe(errors[1]);
    expect(shouldRetry.mock.calls).toEqual([
      [errors[0], 1],
      [errors[1], 2],
    ]);
  });

  it('is not consulted after the last allowed execution', async () => {
    const shouldRetry = vi.fn(() => true);
    await expect(
      retry(() => Promise.reject(new Error('x')), { attempts: 1, shouldRetry }),
    ).rejects.toThrow('x');
    expect(shouldRetry).not.toHaveBeenCalled();
  });

  it('does not retry a BrokenCircuitError by default', async () => {
    const t = fakeTimers();
    const err = broken(5000);
    const fn = vi.fn(() => Promise.reject(err));
    const s = track(retry(fn, { attempts: 5, timers: t }));
    await t.advance(100_000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(s.error).toBe(err);
    expect(t.scheduled).toEqual([]);
  });

  it('does not retry an AbortError by default', async () => {
    const err = new DOMException('stop', 'AbortError');
    const fn = vi.fn(() => {
      throw err;
    });
    await expect(retry(fn, { attempts: 5 })).rejects.toBe(err);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits at least retryAfter when the user retries a BrokenCircuitError', async () => {
    const t = fakeTimers();
    const onRetry = vi.fn();
    const fn = vi.fn((a: number) => (a === 1 ? Promise.reject(broken(5000)) : 'ok'));
    const s = track(
      retry(fn, { shouldRetry: () => true, backoff: constantBackoff(10), onRetry, timers: t }),
    );
    await t.advance(4999);
    expect(fn).toHaveBeenCalledTimes(1);
    await t.advance(1);
    expect(s).toEqual({ state: 'resolved', value: 'ok' });
    expect(t.scheduled).toEqual([5000]);
    expect(onRetry.mock.calls[0]![0]).toMatchObject({ attempt: 1, delayMs: 5000 });
  });

  it('keeps a backoff delay longer than retryAfter, and ignores a null retryAfter', async () => {
    const t = fakeTimers();
    let n = 0;
    const fn = () => Promise.reject(++n === 1 ? broken(3) : broken(null));
    const s = track(
      retry(fn, { shouldRetry: () => true, backoff: constantBackoff(40), timers: t }),
    );
    await t.advance(1000);
    expect(s.state).toBe('rejected');
    expect(t.scheduled).toEqual([40, 40]);
  });

  it('splits a sleep longer than the setTimeout limit into chained timers', async () => {
    const t = fakeTimers();
    const fn = vi.fn((a: number) => (a === 1 ? Promise.reject(broken(3e9)) : 'ok'));
    const s = track(retry(fn, { shouldRetry: () => true, backoff: constantBackoff(0), timers: t }));
    await t.advance(2_147_483_647);
    expect(fn).toHaveBeenCalledTimes(1);
    await t.advance(3e9 - 2_147_483_647);
    expect(s).toEqual({ state: 'resolved', value: 'ok' });
    expect(t.scheduled).toEqual([2_147_483_647, 3e9 - 2_147_483_647]);
  });
});

describe('retry: abort', () => {
  it('an abort during the sleep rejects at once with the reason, clears the timer, calls fn no more', async () => {
    const t = fakeTimers();
    const ac = new AbortController();
    const { fn } = flaky(100);
    const s = track(retry(fn, { signal: ac.signal, backoff: constantBackoff(60_000), timers: t }));
    await t.advance(10);
    expect(t.pending.size).toBe(1);
    const [handle] = t.pending.keys();
    const reason = new Error('shutdown');
    ac.abort(reason);
    await flush(); // no timer advance: "at once"
    expect(s).toEqual({ state: 'rejected', error: reason });
    expect(t.cleared).toEqual([handle]);
    expect(t.pending.size).toBe(0);
    await t.advance(1_000_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('an already-aborted signal rejects with its reason without calling fn', async () => {
    const fn = vi.fn(() => 1);
    const reason = new Error('already');
    await expect(retry(fn, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it('if fn fails after an abort, rejects with the reason and stops', async () => {
    const ac = new AbortController();
    const reason = new Error('cancelled');
    const shouldRetry = vi.fn(() => true);
    const fn = vi.fn(() => {
      ac.abort(reason);
      throw new Error('fn saw the abort');
    });
    await expect(retry(fn, { signal: ac.signal, shouldRetry, attempts: 5 })).rejects.toBe(reason);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(shouldRetry).not.toHaveBeenCalled();
  });

  it('removes its abort listener after a completed sleep', async () => {
    const t = fakeTimers();
    const ac = new AbortController();
    const remove = vi.spyOn(ac.signal, 'removeEventListener');
    const { fn } = flaky(1);
    const s = track(retry(fn, { signal: ac.signal, backoff: constantBackoff(5), timers: t }));
    await t.advance(5);
    expect(s.state).toBe('resolved');
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    ac.abort();
    expect(t.cleared).toEqual([]);
  });
});

describe('retry: onRetry and backoff', () => {
  it('reports error, 1-based attempt and delay before each sleep', async () => {
    const t = fakeTimers();
    const infos: RetryInfo[] = [];
    const { fn, errors } = flaky(2);
    const backoff: Backoff = { delay: (n) => (n + 1) * 100 };
    const s = track(retry(fn, { backoff, onRetry: (i) => infos.push(i), timers: t }));
    await flush();
    expect(infos).toEqual([{ error: errors[0], attempt: 1, delayMs: 100 }]);
    await t.advance(1000);
    expect(s.state).toBe('resolved');
    expect(infos).toEqual([
      { error: errors[0], attempt: 1, delayMs: 100 },
      { error: errors[1], attempt: 2, delayMs: 200 },
    ]);
  });

  it('calls backoff.delay with the 0-based retry index and the previous delay', async () => {
    const t = fakeTimers();
    const delay = vi.fn((n: number) => 7 * (n + 1));
    const s = track(retry(flaky(100).fn, { attempts: 4, backoff: { delay }, timers: t }));
    await t.advance(1000);
    expect(s.state).toBe('rejected');
    expect(delay.mock.calls).toEqual([
      [0, undefined],
      [1, 7],
      [2, 14],
    ]);
  });

  it('an exception in onRetry stops retrying and rejects with it', async () => {
    const boom = new Error('onRetry broke');
    const { fn } = flaky(100);
    await expect(
      retry(fn, {
        onRetry: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('settles with the error if timers.setTimeout throws, leaving no abort listener', async () => {
    const ac = new AbortController();
    const add = vi.spyOn(ac.signal, 'addEventListener');
    const broke = new Error('no timers');
    const timers = {
      setTimeout: (): unknown => {
        throw broke;
      },
      clearTimeout: (): void => {},
    };
    await expect(retry(flaky(100).fn, { timers, signal: ac.signal })).rejects.toBe(broke);
    expect(add).not.toHaveBeenCalled();
  });

  it('rejects with a RangeError (cause = the error) if a backoff returns a bad delay', async () => {
    const { fn, errors } = flaky(100);
    const p = retry(fn, { backoff: { delay: () => NaN } });
    await expect(p).rejects.toThrow(
      new RangeError('retry: backoff.delay(0) must return a finite number >= 0, got NaN'),
    );
    await p.catch((e: unknown) => expect((e as Error).cause).toBe(errors[0]));
  });

  it('uses exponentialBackoff() and the global timers by default', async () => {
    vi.useFakeTimers();
    const { fn } = flaky(1);
    const s = track(retry(fn, { attempts: 2 }));
    await vi.advanceTimersByTimeAsync(100); // full jitter of 100 ms: in [0, 100)
    expect(fn).toHaveBeenCalledTimes(2);
    expect(s.state).toBe('resolved');
  });
});

describe('retry: validation', () => {
  it.each([
    [{ attempts: 0 }, RangeError, 'attempts must be an integer >= 1 or Infinity, got 0'],
    [{ attempts: 2.5 }, RangeError, 'attempts must be an integer >= 1 or Infinity, got 2.5'],
    [{ attempts: NaN }, RangeError, 'attempts must be an integer >= 1 or Infinity, got NaN'],
    [
      { attempts: -Infinity },
      RangeError,
      'attempts must be an integer >= 1 or Infinity, got -Infinity',
    ],
    [{ attempts: '3' }, TypeError, 'attempts must be a number, got "3"'],
    [{ backoff: 100 }, TypeError, 'backoff must have a delay() method, got 100'],
    [{ signal: {} }, TypeError, 'signal must be an AbortSignal, got [object Object]'],
    [{ shouldRetry: true }, TypeError, 'shouldRetry must be a function, got true'],
    [{ onRetry: 'log' }, TypeError, 'onRetry must be a function, got "log"'],
    [
      { timers: { setTimeout } },
      TypeError,
      'timers must have setTimeout and clearTimeout, got [object Object]',
    ],
    [{ retries: 3 }, TypeError, 'unknown option "retries"'],
    [null, TypeError, 'options must be an object, got null'],
  ])('rejects %o without calling fn', async (o, Err, msg) => {
    const fn = vi.fn(() => 1);
    await expect(retry(fn, o as unknown as RetryOptions)).rejects.toThrow(new Err(`retry: ${msg}`));
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects a non-function fn', async () => {
    await expect(retry(42 as unknown as () => number)).rejects.toThrow(
      new TypeError('retry: fn must be a function, got 42'),
    );
  });

  it('does not mutate the options object', async () => {
    const o = Object.freeze({ attempts: 2, backoff: constantBackoff(0) });
    await expect(retry(() => 1, o)).resolves.toBe(1);
    expect(o).toEqual({ attempts: 2, backoff: o.backoff });
  });
});

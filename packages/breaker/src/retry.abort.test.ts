/** retry() unit tests: abort, onRetry and backoff, validation. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff, type Backoff } from './backoff.js';
import { retry, type RetryInfo, type RetryOptions } from './retry.js';
import { fakeTimers, flush, track, flaky } from '../test/retry-kit.js';

afterEach(() => {
  vi.useRealTimers();
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
    [{ signal: {} }, TypeError, 'signal must be an AbortSignal, got an object'],
    [{ shouldRetry: true }, TypeError, 'shouldRetry must be a function, got true'],
    [{ onRetry: 'log' }, TypeError, 'onRetry must be a function, got "log"'],
    [
      { timers: { setTimeout } },
      TypeError,
      'timers must have setTimeout and clearTimeout, got an object',
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

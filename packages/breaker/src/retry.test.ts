/** retry() unit tests: executions and shouldRetry. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constantBackoff } from './backoff.js';
import { retry } from './retry.js';
import { fakeTimers, track, flaky, broken } from '../test/retry-kit.js';

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

  it('an async onRetry that rejects neither ends the retries nor leaves an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const on = (r: unknown): void => void unhandled.push(r);
    process.on('unhandledRejection', on);
    try {
      const t = fakeTimers();
      const fn = vi.fn((a: number) => (a < 3 ? Promise.reject(new Error('e')) : 'ok'));
      const onRetry = async (): Promise<void> => {
        throw new Error('log transport down');
      };
      const s = track(retry(fn, { attempts: 3, backoff: constantBackoff(10), onRetry, timers: t }));
      await t.advance(100);
      expect(s).toEqual({ state: 'resolved', value: 'ok' });
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', on);
    }
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

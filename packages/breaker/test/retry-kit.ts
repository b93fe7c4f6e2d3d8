/** Shared helpers of the retry unit tests (not shipped: outside src/). */
import { vi } from 'vitest';
import { BrokenCircuitError } from '../src/errors.js';

/** Injected fake timers: records every scheduled delay and every clear; time moves only on `advance`. */
export function fakeTimers() {
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
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A settled-state probe for a promise. */
export function track<T>(p: Promise<T>) {
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
export function flaky(failures: number, sync = false) {
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

export const broken = (retryAfter: number | null): BrokenCircuitError =>
  new BrokenCircuitError({
    breakerName: 'redis',
    state: 'open',
    reason: 'open',
    retryAfter,
    nextRetryTime: retryAfter,
  });

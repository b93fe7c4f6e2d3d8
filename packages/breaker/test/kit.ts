/** Shared helpers of the breaker's unit tests (not shipped: outside src/). */
import { CircuitBreaker } from '../src/circuit-breaker.js';
import { createFakeClock, type FakeClock } from '../src/testing/fake-clock.js';
import type { CircuitBreakerOptions } from '../src/types.js';

/** A sync op that throws. */
export const boom = (): never => {
  throw new Error('boom');
};
/** An async op that succeeds. */
export const ok = async (): Promise<string> => 'ok';

/** A promise settled from outside. */
export function deferred<T = string>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A breaker on a fake clock (threshold 3, reset 1 s, window 10 s) unless overridden. */
export function make(opts: CircuitBreakerOptions = {}): { b: CircuitBreaker; clock: FakeClock } {
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

/** `n` failing calls (with a fallback). */
export async function fail(b: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await b.execute(boom, () => 'fb');
}

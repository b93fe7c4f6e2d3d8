/**
 * The call-object form of a breaker call (`CircuitBreaker.executeCall`): the interface, its
 * shape check, and the one stable op every such call runs through.
 */
import type { Fallback } from './call-support.js';
import { describeValue } from './describe-value.js';

/**
 * One call for `CircuitBreaker.executeCall`: the op and the fallback as methods of one object,
 * plus a hook for errors the breaker does not count. For libraries that run many calls through
 * a breaker (the Redis adapter): one object per call instead of an op and a fallback closure,
 * and no extra promise reaction to learn about the errors that reject the caller.
 */
export interface BreakerCall<T, R = T> {
  /** The operation, as `op` of `execute`. */
  run(signal: AbortSignal): T | PromiseLike<T>;
  /**
   * Whether {@link BreakerCall.run} uses its signal, so that a deadline must abort it (for
   * `execute`, the breaker reads `op.length > 0`). When false, it gets a signal that never aborts.
   */
  readonly observesSignal: boolean;
  /** Called instead of failing, as `fallback` of `execute`. */
  fallback(reason: unknown): R | PromiseLike<R>;
  /**
   * Told about an error of `run` that the breaker did not count (`isFailure` returned false),
   * just before the caller's promise rejects with it. Not called for timeouts, caller aborts or
   * rejections. What it throws is contained (logged with `debug`).
   */
  ignored(error: unknown): void;
  /**
   * Optional: told that `run` succeeded, just before the caller's promise resolves with its
   * value (an observer's hook: with `fallback` and `ignored` it sees every outcome but a caller
   * abort, without a reaction of its own). What it throws is contained.
   */
  succeeded?(): void;
}

/** What a runner calls when a call fails: a fallback function, or a {@link BreakerCall}. */
export type FallbackTarget<R> = Fallback<R> | BreakerCall<unknown, R>;

/** The call of the executeCall() in progress: runPendingCall() runs it (synchronously). */
let pendingCall: BreakerCall<unknown, unknown> | undefined;

/** The one op of every executeCall(): no closure per call. Runners call ops synchronously. */
export function runPendingCall(signal: AbortSignal): unknown {
  const call = pendingCall;
  pendingCall = undefined;
  if (call === undefined) throw new Error('breakwater: a BreakerCall ran outside executeCall()');
  return call.run(signal);
}

export function isBreakerCall(v: unknown): v is BreakerCall<unknown, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as BreakerCall<unknown, unknown>;
  return (
    typeof c.run === 'function' &&
    typeof c.fallback === 'function' &&
    typeof c.ignored === 'function' &&
    typeof c.observesSignal === 'boolean'
  );
}

/**
 * Sets the call the next {@link runPendingCall} runs and returns the one it replaces, which the
 * caller restores when its executeCall() returns: user code that runs between the two (a
 * stateChange listener during admission, a diagnostics subscriber) may start another
 * executeCall(), which must not leave the outer call without its op.
 */
export function swapPendingCall(
  call: BreakerCall<unknown, unknown> | undefined,
): BreakerCall<unknown, unknown> | undefined {
  const previous = pendingCall;
  pendingCall = call;
  return previous;
}

export function rejectNotBreakerCall(v: unknown): Promise<never> {
  return Promise.reject(
    new TypeError(
      `executeCall: call must be an object with run(), fallback() and ignored() methods and a ` +
        `boolean observesSignal, got ${describeValue(v)}`,
    ),
  );
}

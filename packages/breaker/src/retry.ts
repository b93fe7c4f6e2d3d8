/**
 * `retry(fn, options)`: runs `fn` until it succeeds, `attempts` executions are used up, or
 * `shouldRetry` says stop; between executions it sleeps for the backoff's delay (abortably).
 */
import createDebug from 'debug';
import type { Backoff } from './backoff.js';
import { MAX_TIMER_DELAY, exponentialBackoff } from './backoff.js';
import { isBrokenCircuitError } from './errors.js';
import { containRejection } from './invoke-user-callback.js';
import { describeValue } from './describe-value.js';
import { isRetryBudget, type RetryBudget } from './retry-budget.js';

const log = createDebug('breakwater:retry');

/** Timer functions used by {@link retry}; inject fakes in tests. */
export interface RetryTimers {
  /** Schedules `fn` after `ms` milliseconds and returns a handle. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle returned by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** What {@link RetryOptions.onRetry} receives before each sleep. */
export interface RetryInfo {
  /** The error of the execution that just failed. */
  error: unknown;
  /** 1-based number of the execution that just failed (1 = the first execution). */
  attempt: number;
  /** How long retry will sleep before the next execution, in milliseconds. */
  delayMs: number;
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /**
   * Total number of executions of `fn`, INCLUDING the first one: `attempts: 3` means one
   * execution plus at most two retries. (Not retries: cockatiel's `maxAttempts: 3` means 4
   * executions.) An integer >= 1, or `Infinity` to retry until success, abort or
   * `shouldRetry` returns false.
   * @default 3
   */
  attempts?: number;
  /**
   * Delay before each retry. Retry number k (0-based) sleeps `backoff.delay(k, previousDelay)` ms.
   * @default exponentialBackoff() (100 ms base, 30 s cap, factor 2, full jitter)
   */
  backoff?: Backoff;
  /**
   * Cancels the retry loop. An abort interrupts the current sleep at once (its timer is
   * cleared), prevents any further execution and rejects with `signal.reason`. It is also
   * passed to `fn`, which should abort its own work; if `fn` then fails, retry rejects with
   * `signal.reason`. An already-aborted signal rejects without calling `fn`.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * Decides whether a failed execution is retried. `attempt` is the 1-based number of the
   * execution that failed. It is not consulted after the last allowed execution.
   * @default retries every error except a BrokenCircuitError and an `AbortError`
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /**
   * Called before each sleep. An exception thrown here stops retrying and rejects with it.
   * @default none
   */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Timer functions, for tests.
   * @default the global setTimeout/clearTimeout
   */
  timers?: RetryTimers;
  /**
   * A {@link RetryBudget} shared with other callers of the same dependency. Each `retry()` call
   * records one request in it; each retry must withdraw a token first, and a retry the budget
   * refuses ends the loop: retry rejects with the last error, unchanged.
   * @default none (retries are limited by `attempts` only)
   */
  budget?: RetryBudget;
}

/** Defaults of {@link retry} (`backoff` defaults to a fresh `exponentialBackoff()`). */
export const DEFAULT_RETRY_OPTIONS: Readonly<{ attempts: number }> = Object.freeze({
  attempts: 3,
});

// Stateless, so one shared instance serves every call that does not pass a backoff.
let defaultBackoff: Backoff | undefined;

const OPTION_KEYS = ['attempts', 'backoff', 'signal', 'shouldRetry', 'onRetry', 'timers', 'budget'];

const defaultTimers: RetryTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const isAbortError = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';

/** The default {@link RetryOptions.shouldRetry}. */
export function defaultShouldRetry(error: unknown): boolean {
  return !isBrokenCircuitError(error) && !isAbortError(error);
}

interface ResolvedRetryOptions {
  attempts: number;
  backoff: Backoff;
  signal: AbortSignal | undefined;
  shouldRetry: (error: unknown, attempt: number) => boolean;
  onRetry: ((info: RetryInfo) => void) | undefined;
  timers: RetryTimers;
  budget: RetryBudget | undefined;
}

const show = describeValue;

function resolve(options: RetryOptions): ResolvedRetryOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`retry: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new TypeError(`retry: unknown option ${show(key)}`);
  }
  const attempts = options.attempts ?? DEFAULT_RETRY_OPTIONS.attempts;
  if (typeof attempts !== 'number') {
    throw new TypeError(`retry: attempts must be a number, got ${show(attempts)}`);
  }
  if (!(attempts === Infinity || (Number.isInteger(attempts) && attempts >= 1))) {
    throw new RangeError(`retry: attempts must be an integer >= 1 or Infinity, got ${attempts}`);
  }
  const { backoff, signal, shouldRetry, onRetry, timers, budget } = options;
  if (budget !== undefined && !isRetryBudget(budget)) {
    throw new TypeError(`retry: budget must be a RetryBudget, got ${show(budget)}`);
  }
  if (backoff !== undefined && typeof backoff?.delay !== 'function') {
    throw new TypeError(`retry: backoff must have a delay() method, got ${show(backoff)}`);
  }
  if (
    signal !== undefined &&
    (typeof signal?.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')
  ) {
    throw new TypeError(`retry: signal must be an AbortSignal, got ${show(signal)}`);
  }
  for (const [name, v] of [
    ['shouldRetry', shouldRetry],
    ['onRetry', onRetry],
  ] as const) {
    if (v !== undefined && typeof v !== 'function') {
      throw new TypeError(`retry: ${name} must be a function, got ${show(v)}`);
    }
  }
  if (
    timers !== undefined &&
    (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')
  ) {
    throw new TypeError(`retry: timers must have setTimeout and clearTimeout, got ${show(timers)}`);
  }
  return {
    attempts,
    backoff: backoff ?? (defaultBackoff ??= exponentialBackoff()),
    signal,
    shouldRetry: shouldRetry ?? defaultShouldRetry,
    onRetry,
    timers: timers ?? defaultTimers,
    budget,
  };
}

/** Sleeps `ms` (chained past the setTimeout limit); an abort clears the timer and rejects at once. */
function sleep(ms: number, signal: AbortSignal | undefined, timers: RetryTimers): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let remaining = ms;
    let handle: unknown;
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      reject(signal?.reason);
    };
    const arm = (): void => {
      const step = Math.min(remaining, MAX_TIMER_DELAY);
      remaining -= step;
      handle = timers.setTimeout(() => {
        if (remaining > 0) return arm();
        signal?.removeEventListener('abort', onAbort);
        resolvePromise();
      }, step);
    };
    arm(); // first: if timers.setTimeout throws, no listener is left behind
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` (sync or async) and retries it on failure. `fn` receives the 1-based execution
 * number and the caller's signal.
 *
 * Resolves with the first successful result. Gives up by rejecting with the LAST error,
 * unchanged, once `attempts` executions have failed, `shouldRetry` returns false or the `budget`
 * refuses a retry. If a retried error is a BrokenCircuitError with a `retryAfter`, the sleep
 * lasts at least that long. Invalid options reject with a TypeError/RangeError before `fn` is called.
 */
export async function retry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => T | PromiseLike<T>,
  options: RetryOptions = {},
): Promise<T> {
  if (typeof fn !== 'function')
    throw new TypeError(`retry: fn must be a function, got ${show(fn)}`);
  const { attempts, backoff, signal, shouldRetry, onRetry, timers, budget } = resolve(options);
  if (signal?.aborted) throw signal.reason;
  budget?.recordRequest();

  let previous: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attempt >= attempts || !shouldRetry(error, attempt)) throw error;
      if (budget !== undefined && !budget.tryRetry()) {
        log('execution %d failed (%s); retry budget spent, giving up', attempt, errorName(error));
        throw error;
      }

      const retryIndex = attempt - 1;
      const backoffDelay = backoff.delay(retryIndex, previous);
      if (typeof backoffDelay !== 'number' || !(backoffDelay >= 0) || backoffDelay === Infinity) {
        throw new RangeError(
          `retry: backoff.delay(${retryIndex}) must return a finite number >= 0, got ${show(backoffDelay)}`,
          { cause: error },
        );
      }
      previous = backoffDelay;
      let delayMs = backoffDelay;
      if (isBrokenCircuitError(error) && Number.isFinite(error.retryAfter)) {
        // Retrying before the breaker admits a trial would only be rejected again.
        delayMs = Math.max(delayMs, error.retryAfter as number);
      }
      log('execution %d failed (%s); retrying in %d ms', attempt, errorName(error), delayMs);
      // A synchronous throw rejects the retry (documented); a rejected promise from an async
      // onRetry (a logger) is contained: it would otherwise be an unhandled rejection.
      if (onRetry !== undefined) containRejection('onRetry', onRetry({ error, attempt, delayMs }));
      await sleep(delayMs, signal, timers);
    }
  }
}

// Only the error's name is logged: messages may carry connection strings or other secrets.
const errorName = (e: unknown): string => {
  try {
    const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
    return typeof name === 'string' ? name : typeof e;
  } catch {
    return typeof e; // a revoked Proxy or a throwing `name` getter
  }
};

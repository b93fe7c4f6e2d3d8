/**
 * `policy({ bulkhead, breaker, timeout, retry })`: one `execute` through the layers given, in a
 * fixed order (retry → bulkhead → breaker with its timeout → op). The composed function is built
 * once, at construction, from the layers that are present: a layer left out costs nothing per
 * call (no check, no closure, no promise).
 */
import type { Bulkhead } from './bulkhead.js';
import { NEVER_ABORTED, type Fallback, type Operation } from './call-support.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { describeValue } from './describe-value.js';
import { isAbortSignal } from './execute-options.js';
import { checkOptionKeys, clockOf, durationOrFalse } from './option-checks.js';
import { retry, type RetryOptions } from './retry.js';
import type { Clock } from './types.js';

/** The layers of a {@link policy}; every one is optional. */
export interface PolicyOptions {
  /** Outermost after retry: a call turned away never reaches the breaker. @default none */
  bulkhead?: Bulkhead;
  /** The circuit breaker. @default none */
  breaker?: CircuitBreaker;
  /**
   * Per-attempt time limit in milliseconds (`false`: none), enforced by the breaker (as its
   * per-call `timeout`). Without a `breaker`, a private breaker that never opens enforces it.
   * @default the breaker's own `timeout`
   */
  timeout?: number | false;
  /**
   * Retries around everything else: `retry()`'s options (`attempts`, `backoff`, `budget`,
   * `shouldRetry`, `onRetry`, `timers`); the signal comes from each call.
   * @default no retry
   */
  retry?: Omit<RetryOptions, 'signal'>;
  /** Time source of the private timeout breaker (used only with `timeout` and no `breaker`). @default the system clock */
  clock?: Clock;
}

/** What {@link policy} returns. */
export interface Policy {
  /**
   * Runs `op` through the layers. `fallback` gets what a layer turned away or counted as a
   * failure (BulkheadRejectedError, BrokenCircuitError, TimeoutError, the op's counted error);
   * with `retry`, it gets the last error once retrying has ended. An abort of `options.signal`
   * rejects with its reason, never the fallback.
   */
  execute<T, R = T>(
    op: Operation<T>,
    fallback?: Fallback<R>,
    options?: { signal?: AbortSignal },
  ): Promise<T | R>;
}

type Run = (
  op: Operation<unknown>,
  fallback: Fallback<unknown> | undefined,
  signal: AbortSignal | undefined,
) => Promise<unknown>;

const KNOWN_KEYS = new Set(['bulkhead', 'breaker', 'timeout', 'retry', 'clock']);

/** Composes the given layers into one {@link Policy}. Validates them once. */
export function policy(layers: PolicyOptions = {}): Policy {
  checkOptionKeys('policy', layers, KNOWN_KEYS);
  const { bulkhead, retry: retryOptions } = layers;
  let breaker = layers.breaker;
  if (bulkhead !== undefined && typeof bulkhead?.execute !== 'function') {
    throw new TypeError(`bulkhead must be a Bulkhead, got ${describeValue(bulkhead)}`);
  }
  if (breaker !== undefined && !(breaker instanceof CircuitBreaker)) {
    throw new TypeError(`breaker must be a CircuitBreaker, got ${describeValue(breaker)}`);
  }
  const timeout =
    layers.timeout === undefined ? undefined : durationOrFalse('timeout', layers.timeout);
  if (retryOptions !== undefined) {
    if (typeof retryOptions !== 'object' || retryOptions === null) {
      throw new TypeError(`retry must be retry() options, got ${describeValue(retryOptions)}`);
    }
    if ('signal' in retryOptions) {
      throw new TypeError('retry.signal is not allowed: pass the signal to execute()');
    }
  }
  if (breaker === undefined && typeof timeout === 'number') {
    const clock = layers.clock === undefined ? undefined : clockOf(layers.clock);
    breaker = new CircuitBreaker('policy-timeout', clock ? { timeout, clock } : { timeout });
    breaker.forceClosed();
  }

  // Innermost: the breaker (with the timeout), or the op itself.
  let run: Run;
  if (breaker !== undefined) {
    const b = breaker;
    const fixed = timeout === undefined ? undefined : { timeout };
    run = (op, fallback, signal) =>
      b.execute(op, fallback, signal === undefined ? fixed : { signal, timeout });
  } else {
    run = (op, _fallback, signal) => {
      try {
        return Promise.resolve(op(signal ?? NEVER_ABORTED));
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  // The bulkhead around it (the op itself when there is no breaker: no extra closure).
  if (bulkhead !== undefined) {
    const inner = run;
    run =
      breaker === undefined
        ? (op, fallback, signal) =>
            bulkhead.execute(op, fallback, signal === undefined ? undefined : { signal })
        : (op, fallback, signal) =>
            bulkhead.execute(
              () => inner(op, fallback, signal),
              fallback,
              signal === undefined ? undefined : { signal },
            );
  }
  // Retry around everything; the fallback only once it has given up.
  if (retryOptions !== undefined) {
    const inner = run;
    const base: RetryOptions = { ...retryOptions };
    run = (op, fallback, signal) => {
      const attempt = (): Promise<unknown> => inner(op, undefined, signal);
      const p = retry(attempt, signal === undefined ? base : { ...base, signal });
      if (fallback === undefined) return p;
      return p.catch((error: unknown) => {
        if (signal?.aborted) throw error;
        return fallback(error);
      });
    };
  }

  const composed = run;
  return {
    execute<T, R = T>(
      op: Operation<T>,
      fallback?: Fallback<R>,
      options?: { signal?: AbortSignal },
    ): Promise<T | R> {
      if (typeof op !== 'function') {
        return Promise.reject(new TypeError(`op must be a function, got ${typeof op}`));
      }
      if (fallback !== undefined && typeof fallback !== 'function') {
        return Promise.reject(new TypeError(`fallback must be a function, got ${typeof fallback}`));
      }
      let signal: AbortSignal | undefined;
      if (options !== undefined) {
        signal = options?.signal;
        if (signal !== undefined && !isAbortSignal(signal)) {
          return Promise.reject(
            new TypeError(`signal must be an AbortSignal, got ${describeValue(signal)}`),
          );
        }
      }
      return composed(op as Operation<unknown>, fallback as Fallback<unknown>, signal) as Promise<
        T | R
      >;
    },
  };
}

/**
 * `retryRedisOperation(adapter, op, fallback, name, options)`: executeRedisOperation, retried on
 * transient failures (`connection`, `server` by default), under one overall deadline and, if
 * given, a shared RetryBudget — the same budget object `retry()` calls elsewhere in the service
 * use, so retries against Redis and against everything else are capped together. Built on the
 * adapter's public surface only: every attempt is an ordinary call (breaker, deadline,
 * classification, reporting, metrics).
 */
import {
  exponentialBackoff,
  retry,
  systemClock,
  type Backoff,
  type Clock,
  type RetryBudget,
} from '@breakwater/breaker';
import type { RedisAdapterLike, RedisFailureKind, RedisFallback } from './types.js';

/** Options of {@link retryRedisOperation}. */
export interface RetryRedisOperationOptions {
  /**
   * Total executions including the first, an integer >= 1.
   * @default 2
   */
  attempts?: number;
  /**
   * Failure kinds worth another attempt. Never `circuit-open` (the breaker said no), `auth` or
   * `tls` (permanent). Add `timeout` only for idempotent operations.
   * @default ['connection', 'server']
   */
  retryOn?: readonly RedisFailureKind[];
  /**
   * Sleep before each retry, capped by what is left of `timeout`.
   * @default exponentialBackoff({ initialDelay: 20, maxDelay: 200 }) (full jitter)
   */
  backoff?: Backoff;
  /** Shared retry budget: a refused retry takes the fallback with the last failure. @default none */
  budget?: RetryBudget;
  /**
   * Overall deadline in milliseconds: each attempt gets what is left as its own `timeout`, and
   * no attempt starts once it has passed. Without it each attempt has the adapter's deadline.
   * @default none
   */
  timeout?: number;
  /** The caller's signal, passed to every attempt and to the sleeps. @default none */
  signal?: AbortSignal;
  /** Time source for `timeout` and the sleeps, for tests. @default the system clock */
  clock?: Clock;
}

/** The defaults of {@link RetryRedisOperationOptions}. */
export const DEFAULT_RETRY_REDIS_OPERATION_OPTIONS = Object.freeze({
  attempts: 2,
  retryOn: Object.freeze(['connection', 'server'] as const),
});

const NEVER_RETRIED = new Set<RedisFailureKind>(['circuit-open', 'auth', 'tls']);
/** Every failure kind (a kind outside it in `retryOn` is a typo that would never match). */
const FAILURE_KINDS = new Set<string>([
  ...NEVER_RETRIED,
  'timeout',
  'not-ready',
  'connection',
  'server',
  'unknown',
] satisfies RedisFailureKind[]);
const KNOWN_KEYS = new Set([
  'attempts',
  'retryOn',
  'backoff',
  'budget',
  'timeout',
  'signal',
  'clock',
]);

let defaultBackoff: Backoff | undefined;

/** A failed attempt whose kind is worth retrying (internal: never reaches the caller). */
class RetryableFailure {
  constructor(
    readonly kind: RedisFailureKind,
    readonly error: unknown,
  ) {}
}

/**
 * Runs `op` through `adapter.executeRedisOperation`, retrying the failure kinds in `retryOn`.
 * Settles with the value, with `fallback(kind, error)` of the LAST failure once attempts, the
 * deadline or the budget run out (or at once for a kind not retried), or rejects like
 * executeRedisOperation does (a data error, the caller's abort). Invalid options throw.
 */
export function retryRedisOperation<C, T, F = T>(
  adapter: Pick<RedisAdapterLike<C>, 'executeRedisOperation'>,
  op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
  fallback: RedisFallback<F>,
  name: string,
  options: RetryRedisOperationOptions = {},
): Promise<T | F> {
  const o = resolve(options);
  const clock = o.clock;
  const deadline = o.timeout === undefined ? Infinity : clock.now() + o.timeout;
  const retryOn = o.retryOn;
  const asRetryable = (kind: RedisFailureKind, error: unknown): F | PromiseLike<F> => {
    if (retryOn.has(kind)) throw new RetryableFailure(kind, error);
    return fallback(kind, error);
  };
  const base = o.backoff;
  // Never sleep past the overall deadline.
  const backoff: Backoff = {
    delay: (attempt, previous) =>
      Math.min(base.delay(attempt, previous), Math.max(0, deadline - clock.now())),
  };
  let last: RetryableFailure | undefined;
  const attempt = (): Promise<T | F> => {
    const left = deadline - clock.now();
    if (left <= 0 && last !== undefined) throw last; // the deadline passed during the sleep
    const timeout = deadline === Infinity ? undefined : left;
    const callOptions =
      timeout === undefined && o.signal === undefined
        ? undefined
        : {
            ...(timeout === undefined ? {} : { timeout }),
            ...(o.signal ? { signal: o.signal } : {}),
          };
    return adapter.executeRedisOperation(op, asRetryable, name, callOptions);
  };
  return retry(attempt, {
    attempts: o.attempts,
    backoff,
    shouldRetry: (error) => {
      if (!(error instanceof RetryableFailure)) return false;
      last = error;
      return deadline - clock.now() > 0;
    },
    // The global timers unless a clock is injected: a sleep between attempts must keep the
    // process alive (the system clock's timers are unref'ed).
    ...(o.timers === undefined ? {} : { timers: o.timers }),
    ...(o.budget === undefined ? {} : { budget: o.budget }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  }).catch((error: unknown) => {
    if (error instanceof RetryableFailure) return fallback(error.kind, error.error);
    throw error;
  });
}

interface Resolved {
  attempts: number;
  retryOn: ReadonlySet<RedisFailureKind>;
  backoff: Backoff;
  budget: RetryBudget | undefined;
  timeout: number | undefined;
  signal: AbortSignal | undefined;
  clock: Clock;
  timers: Clock | undefined;
}

const W = 'retryRedisOperation';

function resolve(options: RetryRedisOperationOptions): Resolved {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${W}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw new TypeError(`${W}: unknown option ${JSON.stringify(key)}`);
  }
  const attempts = options.attempts ?? DEFAULT_RETRY_REDIS_OPERATION_OPTIONS.attempts;
  if (!Number.isSafeInteger(attempts) || attempts < 1) {
    throw new RangeError(`${W}: attempts must be an integer >= 1, got ${String(attempts)}`);
  }
  const kinds = options.retryOn ?? DEFAULT_RETRY_REDIS_OPERATION_OPTIONS.retryOn;
  if (!Array.isArray(kinds)) throw new TypeError(`${W}: retryOn must be an array of failure kinds`);
  for (const kind of kinds) {
    if (!FAILURE_KINDS.has(kind)) {
      throw new RangeError(`${W}: retryOn: unknown failure kind ${JSON.stringify(kind)}`);
    }
    if (NEVER_RETRIED.has(kind)) {
      throw new RangeError(
        `${W}: retryOn must not contain ${JSON.stringify(kind)}: it never goes away by retrying`,
      );
    }
  }
  const timeout = options.timeout;
  if (
    timeout !== undefined &&
    !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)
  ) {
    throw new RangeError(
      `${W}: timeout must be a finite number of milliseconds > 0, got ${String(timeout)}`,
    );
  }
  // backoff, budget, signal and clock are checked by retry() itself on the first call.
  return {
    attempts,
    retryOn: new Set(kinds),
    backoff:
      options.backoff ??
      (defaultBackoff ??= exponentialBackoff({ initialDelay: 20, maxDelay: 200 })),
    budget: options.budget,
    timeout,
    signal: options.signal,
    clock: options.clock ?? systemClock,
    timers: options.clock,
  };
}

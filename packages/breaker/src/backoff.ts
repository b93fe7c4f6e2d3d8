/**
 * Backoff strategies: pure functions from an attempt number to a delay. No timers here; the
 * same object can drive `retry`, the breaker's lengthening open period and node-redis
 * reconnects.
 *
 * Formulas follow Marc Brooker, "Exponential Backoff And Jitter" (AWS Architecture blog),
 * with one deliberate choice: the cap is applied BEFORE the jitter, so delays at the cap
 * still spread (resilience4j and Polly clamp after the jitter and collapse onto the cap).
 */

import { describeValue } from './describe-value.js';

/** How randomness is mixed into an exponential delay `t = min(maxDelay, initialDelay·factor^n)`. */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/** A backoff strategy. Implementations must be pure apart from their random source. */
export interface Backoff {
  /**
   * Delay in ms before retry number `attempt` (0-based: 0 = first retry). `previous` is the
   * delay this backoff returned for attempt-1 (undefined for attempt 0); decorrelated jitter
   * needs it. Must return a finite number >= 0 for every attempt, however large.
   */
  delay(attempt: number, previous?: number): number;
}

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /**
   * Base delay in milliseconds (`base` in the AWS article): the un-jittered delay of the first
   * retry and the lower bound of decorrelated jitter.
   * @default 100
   */
  initialDelay?: number;
  /**
   * Cap in milliseconds (`cap` in the AWS article). Must be >= `initialDelay` and <= 2147483647
   * (the longest delay `setTimeout` honours).
   * @default 30000
   */
  maxDelay?: number;
  /**
   * Growth factor per attempt, >= 1. Not used by `'decorrelated'` jitter, whose growth factor
   * is 3 by definition.
   * @default 2
   */
  factor?: number;
  /**
   * Jitter kind, with `t = min(maxDelay, initialDelay·factor^attempt)`:
   * `'none'` → t; `'full'` → rand(0, t); `'equal'` → t/2 + rand(0, t/2);
   * `'decorrelated'` → min(maxDelay, rand(initialDelay, previous·3)).
   * @default 'full'
   */
  jitter?: Jitter;
  /**
   * Source of uniform random numbers in [0, 1). Inject a seeded generator in tests.
   * @default Math.random
   */
  random?: () => number;
}

/** Longest delay Node's `setTimeout` honours (larger values fire after 1 ms). */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** Defaults of {@link exponentialBackoff}. */
export const DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS: Readonly<Required<ExponentialBackoffOptions>> =
  Object.freeze({
    initialDelay: 100,
    maxDelay: 30_000,
    factor: 2,
    jitter: 'full',
    random: Math.random,
  });

const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];
const OPTION_KEYS = Object.keys(DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS);

const show = describeValue;

function checkDelay(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number')
    throw new TypeError(`${where}: ${name} must be a number, got ${show(v)}`);
  if (!Number.isFinite(v) || v < 0 || v > MAX_TIMER_DELAY) {
    throw new RangeError(
      `${where}: ${name} must be a finite number of ms in [0, ${MAX_TIMER_DELAY}], got ${show(v)}`,
    );
  }
  return v;
}

function checkAttempt(attempt: number): void {
  if (typeof attempt !== 'number' || !(attempt >= 0)) {
    throw new RangeError(`Backoff.delay: attempt must be a number >= 0, got ${show(attempt)}`);
  }
}

/** A backoff that always waits `delayMs` milliseconds. */
export function constantBackoff(delayMs: number): Backoff {
  const ms = checkDelay('constantBackoff', 'delayMs', delayMs);
  return {
    delay(attempt: number): number {
      checkAttempt(attempt);
      return ms;
    },
  };
}

/** A uniform sample in [0, 1], robust against a misbehaving injected `random`. */
function sample(random: () => number): number {
  const r = random();
  return r >= 0 ? Math.min(r, 1) : 0; // also maps NaN to 0
}

/**
 * Capped exponential backoff with AWS-style jitter (see {@link ExponentialBackoffOptions}).
 * Options are validated once, here; the returned object is stateless and can be shared.
 *
 * @throws TypeError / RangeError naming the offending option and its value; unknown keys are rejected.
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const where = 'exponentialBackoff';
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new TypeError(`${where}: unknown option ${show(key)}`);
  }
  const d = DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS;
  const base = checkDelay(where, 'initialDelay', options.initialDelay ?? d.initialDelay);
  const cap = checkDelay(where, 'maxDelay', options.maxDelay ?? d.maxDelay);
  if (cap < base) {
    throw new RangeError(`${where}: maxDelay must be >= initialDelay (${base}), got ${cap}`);
  }
  const factor = options.factor ?? d.factor;
  if (typeof factor !== 'number')
    throw new TypeError(`${where}: factor must be a number, got ${show(factor)}`);
  if (!Number.isFinite(factor) || factor < 1) {
    throw new RangeError(`${where}: factor must be a finite number >= 1, got ${show(factor)}`);
  }
  const jitter = options.jitter ?? d.jitter;
  if (!JITTERS.includes(jitter)) {
    throw new RangeError(
      `${where}: jitter must be one of ${JITTERS.join(', ')}, got ${show(jitter)}`,
    );
  }
  const random = options.random ?? d.random;
  if (typeof random !== 'function') {
    throw new TypeError(`${where}: random must be a function, got ${show(random)}`);
  }

  // Attempts at or beyond this exponent are at the cap: compare exponents instead of computing
  // factor^attempt, which overflows to Infinity (and 0·Infinity = NaN).
  const capExponent =
    base === 0 ? 0 : factor === 1 ? Infinity : Math.log(cap / base) / Math.log(factor);
  const capped = (attempt: number): number =>
    base === 0 ? 0 : attempt >= capExponent ? cap : Math.min(cap, base * factor ** attempt);

  switch (jitter) {
    case 'none':
      return {
        delay(attempt) {
          checkAttempt(attempt);
          return capped(attempt);
        },
      };
    case 'full':
      return {
        delay(attempt) {
          checkAttempt(attempt);
          return capped(attempt) * sample(random);
        },
      };
    case 'equal':
      return {
        delay(attempt) {
          checkAttempt(attempt);
          const half = capped(attempt) / 2;
          return half + half * sample(random);
        },
      };
    case 'decorrelated':
      return {
        delay(attempt, previous) {
          checkAttempt(attempt);
          // `previous` came from this backoff, so it lies in [base, cap]; clamp anything else.
          const prev =
            typeof previous === 'number' && previous >= base ? Math.min(previous, cap) : base;
          return Math.min(cap, base + (prev * 3 - base) * sample(random));
        },
      };
  }
}

/** Defaults and one-time validation of {@link CircuitBreakerOptions}. */
import type { Backoff } from './backoff.js';
import { systemClock } from './clock.js';
import { describeValue } from './describe-value.js';
import { clockOf, count, duration, durationOrFalse, ratio } from './option-checks.js';
import type { CircuitBreakerOptions, CircuitBreakerSnapshot, Clock } from './types.js';

/** The defaults applied to every option the caller leaves out. */
export const DEFAULT_CIRCUIT_BREAKER_OPTIONS = Object.freeze({
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  monitoringWindow: 60_000,
  windowBuckets: 10,
  resetTimeout: 30_000,
  halfOpenMaxAttempts: 1,
  /** `undefined` means: the call timeout if set, otherwise 10000 ms. */
  halfOpenTimeout: undefined,
  timeout: false,
  slowCallDuration: false,
  slowCallRateThreshold: 1,
} as const);

/** Most buckets a window may have (each costs three counters per breaker). */
export const MAX_WINDOW_BUCKETS = 1000;

/** Fallback for `halfOpenTimeout` when neither it nor `timeout` is set, in ms. */
export const DEFAULT_HALF_OPEN_TIMEOUT = 10_000;

/** Options after defaults and validation. */
export interface ResolvedCircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly failureRateThreshold: number;
  readonly monitoringWindow: number;
  readonly windowBuckets: number;
  readonly resetTimeout: number | Backoff;
  readonly halfOpenMaxAttempts: number;
  readonly halfOpenTimeout: number;
  readonly timeout: number | false;
  readonly slowCallDuration: number | false;
  readonly slowCallRateThreshold: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly clock: Clock;
  readonly initialState: CircuitBreakerSnapshot | undefined;
}

const KNOWN_KEYS = new Set<string>([
  ...Object.keys(DEFAULT_CIRCUIT_BREAKER_OPTIONS),
  'halfOpenTimeout',
  'isFailure',
  'clock',
  'initialState',
]);

const show = describeValue;

function resetTimeoutOf(v: unknown): number | Backoff {
  if (typeof v === 'number') return duration('resetTimeout', v);
  if (typeof v === 'object' && v !== null && typeof (v as Backoff).delay === 'function') {
    return v as Backoff;
  }
  throw new TypeError(
    `resetTimeout must be a number of milliseconds or a Backoff ({ delay(attempt, previous) }), got ${show(v)}`,
  );
}

const STATES = new Set(['closed', 'open', 'half-open']);
const FORCED = new Set(['open', 'closed', null]);
const SNAPSHOT_KEYS = new Set(['version', 'state', 'openRemainingMs', 'openAttempt', 'forced']);

/** Validates a snapshot produced by `toJSON()`; returns a frozen copy. */
export function validateSnapshot(v: unknown): CircuitBreakerSnapshot {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TypeError(`initialState must be a snapshot object from toJSON(), got ${show(v)}`);
  }
  const s = v as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!SNAPSHOT_KEYS.has(key))
      throw new TypeError(`initialState has an unknown key ${show(key)}`);
  }
  if (s.version !== 1) {
    throw new RangeError(`initialState.version must be 1, got ${show(s.version)}`);
  }
  if (!STATES.has(s.state as string)) {
    throw new RangeError(
      `initialState.state must be "closed", "open" or "half-open", got ${show(s.state)}`,
    );
  }
  let openRemainingMs: number | null = null;
  if (s.state === 'open' && s.forced === 'open') {
    // Forced open has no end; toJSON writes null.
    if (s.openRemainingMs !== null) {
      throw new RangeError(
        `initialState.openRemainingMs must be null when forced open, got ${show(s.openRemainingMs)}`,
      );
    }
  } else if (s.state === 'open') {
    // Finite: only a forced-open breaker has no end to its open period (written as null).
    openRemainingMs = duration('initialState.openRemainingMs', s.openRemainingMs);
  } else if (s.openRemainingMs !== null && s.openRemainingMs !== undefined) {
    throw new RangeError(
      `initialState.openRemainingMs must be null unless state is "open", got ${show(s.openRemainingMs)}`,
    );
  }
  const openAttempt = count('initialState.openAttempt', s.openAttempt, 0);
  const forced = s.forced === undefined ? null : s.forced;
  if (!FORCED.has(forced as 'open' | 'closed' | null)) {
    throw new RangeError(
      `initialState.forced must be "open", "closed" or null, got ${show(forced)}`,
    );
  }
  if ((forced === 'open' && s.state !== 'open') || (forced === 'closed' && s.state !== 'closed')) {
    throw new RangeError(
      `initialState.forced ${show(forced)} contradicts initialState.state ${show(s.state)}`,
    );
  }
  return Object.freeze({
    version: 1,
    state: s.state as CircuitBreakerSnapshot['state'],
    openRemainingMs,
    openAttempt,
    forced: forced as CircuitBreakerSnapshot['forced'],
  });
}

/** Validates a breaker name: a non-empty string of at most 200 characters. */
export function validateName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${show(name)}`);
  if (name.length === 0 || name.length > 200) {
    throw new RangeError(`name must be 1 to 200 characters long, got ${show(name)}`);
  }
  return name;
}

/**
 * Applies the defaults and validates every option once. Throws a TypeError (wrong type, unknown
 * key) or RangeError (out of range) naming the option and the value. Never mutates `opts`.
 */
export function resolveCircuitBreakerOptions(
  opts: CircuitBreakerOptions = {},
): ResolvedCircuitBreakerOptions {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new TypeError(`options must be an object, got ${show(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!KNOWN_KEYS.has(key)) throw new TypeError(`Unknown circuit breaker option ${show(key)}`);
  }
  const o = opts as Record<string, unknown>;
  const d = DEFAULT_CIRCUIT_BREAKER_OPTIONS as Record<string, unknown>;
  /** The caller's value of `key`, or its default (only for `undefined`: `null` is rejected). */
  const val = (key: string): unknown => (o[key] === undefined ? d[key] : o[key]);
  const timeout = durationOrFalse('timeout', val('timeout'));
  const isFailure = opts.isFailure;
  if (isFailure !== undefined && typeof isFailure !== 'function') {
    throw new TypeError(`isFailure must be a function, got ${show(isFailure)}`);
  }
  const halfOpenTimeout =
    opts.halfOpenTimeout === undefined
      ? timeout || DEFAULT_HALF_OPEN_TIMEOUT
      : opts.halfOpenTimeout;
  return Object.freeze({
    failureThreshold: count('failureThreshold', val('failureThreshold'), 1),
    failureRateThreshold: ratio('failureRateThreshold', val('failureRateThreshold')),
    monitoringWindow: duration('monitoringWindow', val('monitoringWindow'), true),
    windowBuckets: count('windowBuckets', val('windowBuckets'), 1, MAX_WINDOW_BUCKETS),
    resetTimeout: resetTimeoutOf(val('resetTimeout')),
    halfOpenMaxAttempts: count('halfOpenMaxAttempts', val('halfOpenMaxAttempts'), 1),
    halfOpenTimeout: duration('halfOpenTimeout', halfOpenTimeout, true),
    timeout,
    slowCallDuration: durationOrFalse('slowCallDuration', val('slowCallDuration')),
    slowCallRateThreshold: ratio('slowCallRateThreshold', val('slowCallRateThreshold')),
    isFailure,
    clock: opts.clock === undefined ? systemClock : clockOf(opts.clock),
    initialState: opts.initialState === undefined ? undefined : validateSnapshot(opts.initialState),
  });
}

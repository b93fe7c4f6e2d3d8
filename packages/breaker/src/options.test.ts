import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import {
  DEFAULT_CIRCUIT_BREAKER_OPTIONS,
  resolveCircuitBreakerOptions,
  validateName,
  validateSnapshot,
} from './options.js';
import { systemClock } from './clock.js';
import type { CircuitBreakerOptions } from './types.js';

const bad = (opts: unknown) => () => resolveCircuitBreakerOptions(opts as CircuitBreakerOptions);

describe('resolveCircuitBreakerOptions', () => {
  it('applies the defaults', () => {
    const r = resolveCircuitBreakerOptions();
    expect(r).toMatchObject({
      ...DEFAULT_CIRCUIT_BREAKER_OPTIONS,
      halfOpenTimeout: 10_000,
      clock: systemClock,
      isFailure: undefined,
      initialState: undefined,
    });
    expect(resolveCircuitBreakerOptions({ timeout: 250 }).halfOpenTimeout).toBe(250);
  });

  it('never mutates the caller object', () => {
    const opts = { failureThreshold: 2 };
    const copy = { ...opts };
    resolveCircuitBreakerOptions(opts);
    expect(opts).toEqual(copy);
  });

  it.each([
    [{ failureThreshold: 0 }, RangeError, 'failureThreshold must be an integer >= 1, got 0'],
    [{ failureThreshold: 2.5 }, RangeError, 'failureThreshold must be an integer >= 1, got 2.5'],
    [{ failureThreshold: NaN }, RangeError, 'failureThreshold must be a number, got NaN'],
    [{ failureThreshold: '5' }, TypeError, 'failureThreshold must be a number, got "5"'],
    // null is a wrong type, not "use the default"
    [{ failureThreshold: null }, TypeError, 'failureThreshold must be a number, got null'],
    [{ halfOpenTimeout: null }, TypeError, 'halfOpenTimeout must be a number, got null'],
    [
      { failureRateThreshold: 1.5 },
      RangeError,
      'failureRateThreshold must be a number in [0, 1], got 1.5',
    ],
    [
      { failureRateThreshold: -0.1 },
      RangeError,
      'failureRateThreshold must be a number in [0, 1], got -0.1',
    ],
    [
      { monitoringWindow: 0 },
      RangeError,
      'monitoringWindow must be a finite number of milliseconds > 0, got 0',
    ],
    [
      { monitoringWindow: Infinity },
      RangeError,
      'monitoringWindow must be a finite number of milliseconds > 0, got Infinity',
    ],
    [{ windowBuckets: 0 }, RangeError, 'windowBuckets must be an integer in [1, 1000], got 0'],
    // Unbounded, 1e9 buckets allocated 3e9 counters on the first call: out of memory.
    [
      { windowBuckets: 1e9 },
      RangeError,
      'windowBuckets must be an integer in [1, 1000], got 1000000000',
    ],
    [
      { resetTimeout: -1 },
      RangeError,
      'resetTimeout must be a finite number of milliseconds >= 0, got -1',
    ],
    [
      { resetTimeout: {} },
      TypeError,
      'resetTimeout must be a number of milliseconds or a Backoff ({ delay(attempt, previous) }), got an object',
    ],
    [{ halfOpenMaxAttempts: 0 }, RangeError, 'halfOpenMaxAttempts must be an integer >= 1, got 0'],
    [
      { halfOpenTimeout: -5 },
      RangeError,
      'halfOpenTimeout must be a finite number of milliseconds > 0, got -5',
    ],
    [{ timeout: 0 }, RangeError, 'timeout must be a finite number of milliseconds > 0, got 0'],
    [{ timeout: true }, TypeError, 'timeout must be a number of milliseconds or false, got true'],
    [
      { slowCallDuration: 'x' },
      TypeError,
      'slowCallDuration must be a number of milliseconds or false, got "x"',
    ],
    [
      { slowCallRateThreshold: 2 },
      RangeError,
      'slowCallRateThreshold must be a number in [0, 1], got 2',
    ],
    [{ isFailure: 'all' }, TypeError, 'isFailure must be a function, got "all"'],
    [
      { clock: { now: () => 0 } },
      TypeError,
      'clock must be an object with now, setTimeout and clearTimeout, got an object',
    ],
    [{ failureTreshold: 3 }, TypeError, 'Unknown circuit breaker option "failureTreshold"'],
    [null, TypeError, 'options must be an object, got null'],
  ])('%o → %s', (opts, type, message) => {
    expect(bad(opts)).toThrow(type);
    expect(bad(opts)).toThrow(message);
  });

  it('validates the name', () => {
    expect(() => validateName(42)).toThrow(new TypeError('name must be a string, got 42'));
    expect(() => validateName('')).toThrow(
      new RangeError('name must be 1 to 200 characters long, got ""'),
    );
    expect(() => new CircuitBreaker(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('validateSnapshot', () => {
  const good = { version: 1, state: 'open', openRemainingMs: 10, openAttempt: 0, forced: null };
  it.each([
    [
      'not an object',
      'x',
      TypeError,
      'initialState must be a snapshot object from toJSON(), got "x"',
    ],
    ['version', { ...good, version: 2 }, RangeError, 'initialState.version must be 1, got 2'],
    [
      'state',
      { ...good, state: 'ajar' },
      RangeError,
      'initialState.state must be "closed", "open" or "half-open", got "ajar"',
    ],
    [
      'remaining',
      { ...good, openRemainingMs: -1 },
      RangeError,
      'initialState.openRemainingMs must be a finite number of milliseconds >= 0, got -1',
    ],
    [
      // Not forced, yet never ending: a breaker stuck open until reset() by accident.
      'infinite remaining',
      { ...good, openRemainingMs: Infinity },
      RangeError,
      'initialState.openRemainingMs must be a finite number of milliseconds >= 0, got Infinity',
    ],
    [
      'remaining when closed',
      { ...good, state: 'closed' },
      RangeError,
      'initialState.openRemainingMs must be null unless state is "open", got 10',
    ],
    [
      'attempt',
      { ...good, openAttempt: 1.5 },
      RangeError,
      'initialState.openAttempt must be an integer >= 0, got 1.5',
    ],
    [
      'forced',
      { ...good, forced: 'yes' },
      RangeError,
      'initialState.forced must be "open", "closed" or null, got "yes"',
    ],
    [
      'contradiction',
      { ...good, forced: 'closed' },
      RangeError,
      'initialState.forced "closed" contradicts initialState.state "open"',
    ],
    [
      'forced open remaining',
      { ...good, forced: 'open' },
      RangeError,
      'initialState.openRemainingMs must be null when forced open, got 10',
    ],
    ['unknown key', { ...good, extra: 1 }, TypeError, 'initialState has an unknown key "extra"'],
  ])('%s', (_label, snap, type, message) => {
    expect(() => validateSnapshot(snap)).toThrow(type);
    expect(() => validateSnapshot(snap)).toThrow(message);
    expect(bad({ initialState: snap })).toThrow(message);
  });

  it('accepts a valid snapshot and returns a frozen copy', () => {
    const s = validateSnapshot(good);
    expect(s).toEqual(good);
    expect(Object.isFrozen(s)).toBe(true);
    expect(s).not.toBe(good);
  });
});

import { describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  TimeoutError,
  isBrokenCircuitError,
  isTimeoutError,
} from './errors.js';

describe('errors', () => {
  it('BrokenCircuitError carries its fields, name, cause and brand', () => {
    const cause = new Error('root');
    const e = new BrokenCircuitError({
      breakerName: 'redis',
      state: 'open',
      reason: 'open',
      retryAfter: 1500,
      nextRetryTime: 10_000,
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('BrokenCircuitError');
    expect(e.message).toBe('Circuit breaker "redis" is open; next attempt allowed in 1500 ms');
    expect(e).toMatchObject({
      breakerName: 'redis',
      state: 'open',
      retryAfter: 1500,
      nextRetryTime: 10_000,
    });
    expect(e.cause).toBe(cause);
    expect(isBrokenCircuitError(e)).toBe(true);
    expect(isTimeoutError(e)).toBe(false);
    expect(Object.keys(e)).not.toContain(Symbol.for('breakwater.BrokenCircuitError'));
  });

  it('guards work across package copies (brand, not instanceof)', () => {
    const foreign = Object.assign(new Error('x'), {});
    Object.defineProperty(foreign, Symbol.for('breakwater.BrokenCircuitError'), { value: true });
    expect(isBrokenCircuitError(foreign)).toBe(true);
    const foreignTimeout = new Error('t');
    Object.defineProperty(foreignTimeout, Symbol.for('breakwater.TimeoutError'), { value: true });
    expect(isTimeoutError(foreignTimeout)).toBe(true);
    expect(isBrokenCircuitError(null)).toBe(false);
    expect(isBrokenCircuitError('BrokenCircuitError')).toBe(false);
    expect(isTimeoutError(new Error('x'))).toBe(false);
  });

  it('TimeoutError has timeoutMs, name and cause', () => {
    const e = new TimeoutError(250, undefined, { cause: 'why' });
    expect(e.name).toBe('TimeoutError');
    expect(e.timeoutMs).toBe(250);
    expect(e.message).toBe('Operation timed out after 250 ms');
    expect(e.cause).toBe('why');
    expect(isTimeoutError(e)).toBe(true);
  });

  it('messages for forced-open and half-open-full', () => {
    const base = { breakerName: 'b', retryAfter: null, nextRetryTime: null } as const;
    expect(
      new BrokenCircuitError({ ...base, state: 'open', reason: 'forced-open' }).message,
    ).toContain('forced open');
    expect(
      new BrokenCircuitError({ ...base, state: 'half-open', reason: 'half-open-full' }).message,
    ).toContain('trial slots');
  });
});

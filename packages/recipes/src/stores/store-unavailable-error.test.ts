import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, isStoreUnavailableError } from './store-unavailable-error.js';

describe('StoreUnavailableError', () => {
  it('has a name, the operation, the reason and the cause', () => {
    const cause = new Error('socket closed');
    const e = new StoreUnavailableError('session-store.set', 'connection', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('StoreUnavailableError');
    expect(e.message).toBe('[session-store.set] store unavailable: connection');
    expect(e.operation).toBe('session-store.set');
    expect(e.reason).toBe('connection');
    expect(e.cause).toBe(cause);
    expect(e.maybeApplied).toBe(false);
  });

  it('says when the write may have been applied (unknown outcome)', () => {
    const e = new StoreUnavailableError('token-store.take', 'timeout', { maybeApplied: true });
    expect(e.maybeApplied).toBe(true);
    expect(e.message).toBe('[token-store.take] store outcome unknown: timeout');
  });

  it('is recognised by brand, also from another copy of the package', () => {
    expect(isStoreUnavailableError(new StoreUnavailableError('x', 'timeout'))).toBe(true);
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('breakwater.recipes.StoreUnavailableError')]: true,
    });
    expect(isStoreUnavailableError(foreign)).toBe(true);
    for (const v of [new Error('x'), null, undefined, 'StoreUnavailableError', {}]) {
      expect(isStoreUnavailableError(v)).toBe(false);
    }
  });
});

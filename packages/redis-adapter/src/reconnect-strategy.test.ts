import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '@breakwater/breaker';
import { SimpleError, SocketClosedUnexpectedlyError, SocketTimeoutError } from 'redis';
import { isRedisAuthenticationError, isRedisProtocolError, isRedisTlsError } from './errors.js';
import {
  ReconnectPlanner,
  createReconnectStrategy,
  isReconnectHandoff,
  permanentConnectionError,
  terminationVerdict,
} from './reconnect-strategy.js';

const sys = (code: string): Error => Object.assign(new Error(code), { code });

describe('permanentConnectionError', () => {
  it('maps handshake replies and TLS errors to typed errors', () => {
    expect(
      isRedisAuthenticationError(permanentConnectionError(new SimpleError('WRONGPASS invalid'))),
    ).toBe(true);
    expect(
      isRedisAuthenticationError(
        permanentConnectionError(new SimpleError('NOAUTH HELLO must be called')),
      ),
    ).toBe(true);
    expect(isRedisAuthenticationError(permanentConnectionError(new SimpleError('NOPERM no')))).toBe(
      true,
    );
    const p = permanentConnectionError(new SimpleError("ERR unknown command 'HELLO', with args"));
    expect(isRedisProtocolError(p)).toBe(true);
    expect(p!.message).toMatch(/RESP: 2/);
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'CERT_HAS_EXPIRED',
    ]) {
      const e = permanentConnectionError(sys(code));
      expect(isRedisTlsError(e)).toBe(true);
      expect((e as { code?: string }).code).toBe(code);
    }
  });

  it('transient causes are not permanent (SocketTimeoutError keeps reconnecting)', () => {
    for (const cause of [
      new SocketTimeoutError(10),
      new SocketClosedUnexpectedlyError(),
      sys('ECONNREFUSED'),
      new SimpleError('LOADING'),
      new SimpleError('ERR syntax'),
    ]) {
      expect(permanentConnectionError(cause)).toBeUndefined();
      expect(isReconnectHandoff(createReconnectStrategy()(0, cause))).toBe(true);
    }
  });

  it("terminationVerdict reads node-redis' 'terminated' cause", () => {
    const strategy = createReconnectStrategy();
    const timeout = new SocketTimeoutError(10);
    // Transient: the strategy handed over; reconnect with the socket error's kind (a dead
    // socket is a connection failure).
    expect(
      terminationVerdict({ originalError: strategy(0, timeout), socketError: timeout }),
    ).toEqual({ retry: 'connection' });
    // Permanent: the strategy's typed error stops the loop; the socket error is to be ignored.
    const wrongPass = new SimpleError('WRONGPASS invalid username-password pair');
    const v = terminationVerdict({ originalError: strategy(0, wrongPass), socketError: wrongPass });
    expect('stop' in v && isRedisAuthenticationError(v.stop)).toBe(true);
    expect('stop' in v && v.socketError).toBe(wrongPass);
    // A bare cause (adopted client, no wrapper) is read the same way.
    expect('stop' in terminationVerdict(sys('SELF_SIGNED_CERT_IN_CHAIN'))).toBe(true);
    expect(terminationVerdict(sys('ECONNREFUSED'))).toEqual({ retry: 'connection' });
  });

  it('the strategy never returns a number or false', () => {
    const s = createReconnectStrategy();
    expect(s(0, new SimpleError('WRONGPASS x'))).toBeInstanceOf(Error);
    expect(isReconnectHandoff(s(0, new SimpleError('WRONGPASS x')))).toBe(false);
  });
});

describe('ReconnectPlanner', () => {
  it('follows the backoff with previous delays, resets on ready, and survives a bad backoff', () => {
    const p = new ReconnectPlanner(
      exponentialBackoff({ initialDelay: 100, maxDelay: 2000, jitter: 'none' }),
    );
    expect([0, 1, 2, 3, 4, 5].map(() => p.next().delayMs)).toEqual([
      100, 200, 400, 800, 1600, 2000,
    ]);
    p.reset();
    expect(p.next()).toEqual({ attempt: 0, delayMs: 100 });
    const bad = new ReconnectPlanner({ delay: () => Number.NaN });
    expect(bad.next().delayMs).toBe(1000);
    const throwing = new ReconnectPlanner({
      delay: () => {
        throw new Error('x');
      },
    });
    expect(throwing.next().delayMs).toBe(1000);
  });
});

import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@breakwater/breaker';
import { ErrorReportGate, formatRedisErrorMessage } from './reporter.js';
import type { RedisErrorReport } from './types.js';

function gate(interval = 1000, reporter?: (r: RedisErrorReport) => void) {
  const clock = createFakeClock(0);
  const delivered: RedisErrorReport[] = [];
  const events: RedisErrorReport[] = [];
  const g = new ErrorReportGate({
    reporter: reporter ?? ((r) => delivered.push(r)),
    interval,
    clock,
    secrets: ['s3cret'],
    onDelivered: (r) => events.push(r),
  });
  return { g, clock, delivered, events };
}

describe('ErrorReportGate', () => {
  it('formats `[operation] Redis error: <kind>: <message>`', () => {
    expect(formatRedisErrorMessage('get', 'timeout', 'x')).toBe('[get] Redis error: timeout: x');
    const { g, delivered } = gate();
    g.report('session-get', 'connection', new Error('read ECONNRESET'));
    expect(delivered[0]!.message).toBe('[session-get] Redis error: connection: read ECONNRESET');
    expect(delivered[0]!.suppressed).toBe(0);
  });

  it('rate-limits per operation and reports the suppressed count with the next report', () => {
    const { g, clock, delivered } = gate(1000);
    for (let i = 0; i < 5000; i++) g.report('get', 'timeout', new Error('t'));
    g.report('set', 'timeout', new Error('t')); // another operation is not suppressed
    expect(delivered.map((r) => r.operation)).toEqual(['get', 'set']);
    clock.advance(999);
    g.report('get', 'timeout', new Error('t'));
    expect(delivered).toHaveLength(2);
    clock.advance(1);
    g.report('get', 'circuit-open', new Error('open'));
    expect(delivered).toHaveLength(3);
    expect(delivered[2]!.suppressed).toBe(5000);
    expect(delivered[2]!.kind).toBe('circuit-open');
    clock.advance(1000);
    g.report('get', 'timeout', new Error('t'));
    expect(delivered[3]!.suppressed).toBe(0);
  });

  it('interval 0 delivers everything', () => {
    const { g, delivered } = gate(0);
    for (let i = 0; i < 10; i++) g.report('get', 'data', new Error('WRONGTYPE'));
    expect(delivered).toHaveLength(10);
  });

  it('a throwing reporter is swallowed and the report event still fires', () => {
    const { g, events } = gate(0, () => {
      throw new Error('sentry down');
    });
    expect(() => g.report('get', 'timeout', new Error('t'))).not.toThrow();
    expect(events).toHaveLength(1);
  });

  it('an async reporter that rejects (transport down) causes no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const on = (r: unknown): void => void unhandled.push(r);
    process.on('unhandledRejection', on);
    try {
      const { g, events } = gate(0, async () => {
        throw new Error('log transport down');
      });
      expect(() => g.report('get', 'timeout', new Error('t'))).not.toThrow();
      expect(events).toHaveLength(1);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', on);
    }
  });

  it('a reporter throwing a revoked Proxy or an Error with a throwing message getter is contained', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const bad = new Error('x');
    Object.defineProperty(bad, 'message', {
      get() {
        throw new Error('getter');
      },
    });
    for (const thrown of [revoked.proxy, bad]) {
      const { g, events } = gate(0, () => {
        throw thrown;
      });
      expect(() => g.report('get', 'timeout', new Error('t'))).not.toThrow();
      expect(events).toHaveLength(1);
    }
  });

  it('an operation name with a line break cannot forge a second report line', () => {
    const { g, delivered } = gate(0);
    g.report('get\n[set] Redis error: auth: forged', 'timeout', new Error('a\r\nb'));
    const line = delivered[0]!.message;
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toBe('[get\\n[set] Redis error: auth: forged] Redis error: timeout: a\\r\\nb');
    expect(formatRedisErrorMessage('a\u2028b\u0000', 'data', 'm')).toBe(
      '[a\\u2028b\\u0000] Redis error: data: m',
    );
    expect(formatRedisErrorMessage('x'.repeat(500), 'data', 'm').length).toBeLessThan(260);
  });

  it('redacts the configured secret from message and error', () => {
    const { g, delivered } = gate();
    g.report('auth', 'auth', new Error('bad password s3cret'));
    expect(delivered[0]!.message).not.toContain('s3cret');
    expect((delivered[0]!.error as Error).message).toBe('bad password ***');
  });

  it('bounds the number of tracked operations', () => {
    const clock = createFakeClock(0);
    const delivered: string[] = [];
    const g = new ErrorReportGate({
      reporter: (r) => delivered.push(r.operation),
      interval: 1000,
      clock,
      secrets: [],
      maxOperations: 2,
    });
    g.report('a', 'timeout', 1);
    g.report('b', 'timeout', 1);
    g.report('c', 'timeout', 1); // evicts a
    g.report('a', 'timeout', 1); // a is new again: delivered
    expect(delivered).toEqual(['a', 'b', 'c', 'a']);
  });
});

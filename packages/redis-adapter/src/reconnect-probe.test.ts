import { describe, expect, it } from 'vitest';
import { CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import { probeAfterReconnect } from './reconnect-probe.js';

function openBreaker(clock: ReturnType<typeof createFakeClock>): CircuitBreaker {
  const breaker = new CircuitBreaker('probe', { clock, resetTimeout: 60_000, failureThreshold: 1 });
  // Trip it for real: one failure with threshold 1.
  void breaker.execute(
    () => Promise.reject(new Error('down')),
    () => null,
  );
  return breaker;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('probeAfterReconnect', () => {
  it('a PING answered in time on the current connection closes an open breaker at once', async () => {
    const clock = createFakeClock(0);
    const breaker = openBreaker(clock);
    await tick();
    expect(breaker.state).toBe('open');
    probeAfterReconnect({
      breaker,
      ping: () => Promise.resolve('PONG'),
      timeout: 500,
      clock,
      stillCurrent: () => true,
    });
    await tick();
    expect(breaker.state).toBe('closed'); // without waiting out the 60 s reset timeout
    expect(clock.pendingTimers()).toBe(0);
  });

  it('leaves the breaker open when the PING fails, is late, or the connection changed', async () => {
    const clock = createFakeClock(0);
    const breaker = openBreaker(clock);
    await tick();
    const base = { breaker, timeout: 500, clock };
    probeAfterReconnect({
      ...base,
      ping: () => Promise.reject(new Error('x')),
      stillCurrent: () => true,
    });
    probeAfterReconnect({
      ...base,
      ping: () => Promise.resolve('PONG'),
      stillCurrent: () => false,
    });
    let answer: (v: string) => void = () => undefined;
    probeAfterReconnect({
      ...base,
      ping: () => new Promise<string>((r) => (answer = r)),
      stillCurrent: () => true,
    });
    clock.advance(500); // the deadline passes first
    answer('PONG');
    probeAfterReconnect({
      ...base,
      ping: () => {
        throw new Error('sync');
      },
      stillCurrent: () => true,
    });
    await tick();
    expect(breaker.state).toBe('open');
  });

  it('never overrides an operator forcing the breaker, and does nothing when closed', async () => {
    const clock = createFakeClock(0);
    const breaker = new CircuitBreaker('forced', { clock });
    let pings = 0;
    const ping = () => (pings++, Promise.resolve('PONG'));
    probeAfterReconnect({ breaker, ping, timeout: 500, clock, stillCurrent: () => true });
    breaker.forceOpen();
    probeAfterReconnect({ breaker, ping, timeout: 500, clock, stillCurrent: () => true });
    await tick();
    expect(pings).toBe(0);
    expect(breaker.state).toBe('open');
  });
});

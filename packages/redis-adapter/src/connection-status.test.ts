import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@breakwater/breaker';
import { ConnectionStatus } from './connection-status.js';
import { RedisAuthenticationError } from './errors.js';

describe('ConnectionStatus', () => {
  it('emits each transition once, reports failures and releases waiters', async () => {
    const clock = createFakeClock(0);
    const changes: string[] = [];
    const errors: string[] = [];
    const s = new ConnectionStatus(clock, {
      onStateChange: ({ from, to }) => changes.push(`${from}>${to}`),
      onError: (kind) => errors.push(kind),
    });
    s.toConnecting();
    s.toConnecting(); // no event when the state does not change
    const ready = s.wait(1000);
    clock.advance(10);
    s.toReady();
    expect(await ready).toBe('ready');
    s.toConnecting(); // after a ready connection: reconnecting
    const failed = s.waitForReady(false, 1000);
    const error = new RedisAuthenticationError('Redis authentication failed');
    s.toFailed(error);
    expect(await failed).toBe(false);
    expect(s.failure).toBe(error);
    expect(await s.waitForReady(false, 1000)).toBe(false); // failed: no wait at all
    s.toClosed();
    expect(changes).toEqual([
      'closed>connecting',
      'connecting>ready',
      'ready>reconnecting',
      'reconnecting>failed',
      'failed>closed',
    ]);
    expect(errors).toEqual(['auth']);
  });

  it('waitForReady: true at once when ready now, false after its own time limit', async () => {
    const clock = createFakeClock(0);
    const s = new ConnectionStatus(clock, { onStateChange: () => {}, onError: () => {} });
    expect(await s.waitForReady(true, 0)).toBe(true);
    expect(await s.waitForReady(false, 0)).toBe(false);
    s.toConnecting();
    const w = s.waitForReady(false, 250);
    clock.advance(250);
    expect(await w).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('records since when the connection has not been ready, across reconnect attempts', () => {
    const clock = createFakeClock(1000);
    const s = new ConnectionStatus(clock, { onStateChange: () => {}, onError: () => {} });
    expect(s.notReadySince).toBe(1000);
    clock.advance(50);
    s.toConnecting(); // a connect from 'closed' starts the count again
    expect(s.notReadySince).toBe(1050);
    clock.advance(50);
    s.toReady();
    clock.advance(900);
    s.toConnecting(); // the drop
    expect(s.notReadySince).toBe(2000);
    clock.advance(300);
    s.set('connecting'); // another attempt of the same outage does not reset it
    s.toConnecting();
    expect(s.notReadySince).toBe(2000);
  });
});

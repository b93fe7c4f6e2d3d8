/** The breaker's diagnostics channels: what subscribers see, and nothing published without them. */
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BREAKER_CHANNELS, type BreakerCallMessage } from './diagnostics.js';
import { boom, make, ok } from '../test/kit.js';
import type { CircuitBreakerEvents } from './types.js';

const subscriptions: Array<[string, (message: unknown) => void]> = [];
function listen<T>(name: string, onMessage: (message: T) => void): void {
  const fn = (message: unknown): void => onMessage(message as T);
  subscribe(name, fn);
  subscriptions.push([name, fn]);
}
afterEach(() => {
  for (const [name, fn] of subscriptions.splice(0)) unsubscribe(name, fn);
  vi.restoreAllMocks();
});

describe('breaker diagnostics channels', () => {
  it('publishes every state change and every call outcome of a run', async () => {
    const { b, clock } = make({ timeout: 100, isFailure: (e) => (e as Error).message !== 'data' });
    const states: CircuitBreakerEvents['stateChange'][] = [];
    const calls: BreakerCallMessage[] = [];
    const events: string[] = [];
    listen(BREAKER_CHANNELS.stateChange, (m: CircuitBreakerEvents['stateChange']) =>
      states.push(m),
    );
    listen(BREAKER_CHANNELS.call, (m: BreakerCallMessage) => calls.push(m));
    b.on('stateChange', (e) => events.push(`${e.from}->${e.to}:${e.reason}`));

    await b.execute(async () => {
      clock.advance(7);
      return 1;
    });
    await expect(
      b.execute(() => {
        throw new Error('data');
      }),
    ).rejects.toThrow('data');
    const slow = b.execute(
      () => new Promise<string>(() => {}),
      () => 'fb',
    );
    clock.advance(100);
    await slow;
    await b.execute(boom, () => 0);
    await b.execute(boom, () => 0); // third failure: opens
    await b.execute(ok, () => 'fb'); // rejected
    clock.advance(1000);
    await b.execute(ok); // trial succeeds: closes
    b.forceOpen();
    b.reset();

    expect(calls.map((c) => [c.name, c.outcome, c.durationMs])).toEqual([
      ['test', 'success', 7],
      ['test', 'ignored', 0],
      ['test', 'timeout', 100],
      ['test', 'failure', 0],
      ['test', 'failure', 0],
      ['test', 'rejected', 0],
      ['test', 'success', 0],
    ]);
    expect(calls[1]?.error).toEqual(new Error('data'));
    expect((calls[3]?.error as Error).message).toBe('boom');
    expect(calls[5]?.reason).toBe('open');
    expect(states.map((s) => `${s.from}->${s.to}:${s.reason}`)).toEqual(events);
    expect(events).toEqual([
      'closed->open:failure-threshold',
      'open->half-open:reset-timeout',
      'half-open->closed:trial-success',
      'closed->open:force-open',
      'open->closed:reset',
    ]);
    expect(states.every((s) => s.name === 'test' && typeof s.at === 'number')).toBe(true);
  });

  it('times calls for subscribers even without listeners or a slow-call rule', async () => {
    const { b, clock } = make(); // no timeout: the untimed pass-through path
    const calls: BreakerCallMessage[] = [];
    listen(BREAKER_CHANNELS.call, (m: BreakerCallMessage) => calls.push(m));
    await b.execute(async () => {
      clock.advance(12);
      return 1;
    });
    expect(calls).toEqual([{ name: 'test', outcome: 'success', durationMs: 12 }]);
  });

  it('publishes nothing, and builds no message, when nobody subscribes', async () => {
    const state = vi.spyOn(channel(BREAKER_CHANNELS.stateChange), 'publish');
    const call = vi.spyOn(channel(BREAKER_CHANNELS.call), 'publish');
    // Subscribed once and unsubscribed: back to no subscriber.
    listen(BREAKER_CHANNELS.call, () => undefined);
    for (const [name, fn] of subscriptions.splice(0)) unsubscribe(name, fn);
    const { b, clock } = make({ timeout: 100 });
    await b.execute(ok);
    await b.execute(boom, () => 0);
    await b.execute(boom, () => 0);
    await b.execute(boom, () => 0);
    await b.execute(ok, () => 0);
    clock.advance(1000);
    await b.execute(ok);
    expect(b.state).toBe('closed');
    expect(state).not.toHaveBeenCalled();
    expect(call).not.toHaveBeenCalled();
  });
});

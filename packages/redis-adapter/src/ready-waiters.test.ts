import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@breakwater/breaker';
import { ReadyWaiters } from './ready-waiters.js';

describe('ReadyWaiters', () => {
  it('times out each waiter on its own and settles the rest together, clearing timers', async () => {
    const clock = createFakeClock(0);
    const w = new ReadyWaiters(clock);
    const short = w.wait(100);
    const long = w.wait(1000);
    clock.advance(100);
    expect(await short).toBe('timeout');
    expect(clock.pendingTimers()).toBe(1);
    w.settle('ready');
    expect(await long).toBe('ready');
    expect(clock.pendingTimers()).toBe(0);
    w.settle('failed'); // nobody left: harmless
  });
});

import { describe, expect, it } from 'vitest';
import { cachedSystemNow, systemClock } from './clock.js';

describe('systemClock', () => {
  it('follows Date.now and never goes backwards', () => {
    const a = systemClock.now();
    const b = systemClock.now();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(Math.abs(a - Date.now())).toBeLessThan(1000);
  });

  it('timers are unref-ed and can be cleared', () => {
    let ran = false;
    const h = systemClock.setTimeout(() => (ran = true), 10_000) as NodeJS.Timeout;
    expect(h.hasRef()).toBe(false);
    systemClock.clearTimeout(h);
    expect(ran).toBe(false);
  });
});

describe('cachedSystemNow', () => {
  it('is read once per event-loop turn and refreshed on the next turn', async () => {
    const first = cachedSystemNow();
    const spinUntil = Date.now() + 5;
    while (Date.now() < spinUntil) {
      // busy: the cached value stays put within this turn
    }
    expect(cachedSystemNow()).toBe(first);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(cachedSystemNow()).toBeGreaterThanOrEqual(first + 5);
  });
});

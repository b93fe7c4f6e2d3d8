import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { CACHED_NOW_MAX_READS, cachedSystemNow, systemClock } from './clock.js';

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

  it('is refreshed after CACHED_NOW_MAX_READS reads even when the turn never ends', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const first = cachedSystemNow();
    const spinUntil = Date.now() + 5;
    while (Date.now() < spinUntil) {
      // busy
    }
    let latest = first;
    for (let i = 0; i < CACHED_NOW_MAX_READS; i++) latest = cachedSystemNow();
    expect(latest).toBeGreaterThanOrEqual(first + 5);
  });

  it('does not let a long run of promise reactions make deadlines fire early', async () => {
    // A stale cache would be ~400 ms behind, so a 300 ms deadline computed from it would
    // already have passed; the 290 ms of headroom keeps a loaded machine from failing it.
    const breaker = new CircuitBreaker('stale-clock', { timeout: 300 });
    // Warm the cache, then stay inside one macrotask for ~400 ms of promise reactions,
    // reading the clock along the way as busy breaker traffic would.
    await breaker.execute(async () => 1);
    const until = Date.now() + 400;
    while (Date.now() < until) {
      await breaker.execute(async () => 1);
    }
    // A call that takes 10 ms of real time must succeed: its deadline is 300 ms from *now*.
    const slow = await breaker.execute(
      () => new Promise<string>((resolve) => setTimeout(() => resolve('value'), 10)),
      () => 'fallback',
    );
    expect(slow).toBe('value');
  });
});

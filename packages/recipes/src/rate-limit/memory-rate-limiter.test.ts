import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryRateLimiter } from './memory-rate-limiter.js';

function limiter(algorithm: 'fixed' | 'sliding', limit = 3, windowMs = 1000, maxKeys = 100) {
  const clock = { t: 10_000, now: () => clock.t };
  return { clock, rl: new MemoryRateLimiter({ limit, windowMs, algorithm, maxKeys, clock }) };
}

describe('MemoryRateLimiter fixed', () => {
  it('allows exactly limit units per window; a denial does not count', () => {
    const { clock, rl } = limiter('fixed');
    expect(rl.consume('k', 1)).toEqual({ allowed: true, remaining: 2, resetMs: 1000 });
    clock.t += 400;
    expect(rl.consume('k', 2)).toEqual({ allowed: true, remaining: 0, resetMs: 600 });
    expect(rl.consume('k', 1)).toEqual({ allowed: false, remaining: 0, resetMs: 600 });
    clock.t += 600;
    expect(rl.consume('k', 3)).toEqual({ allowed: true, remaining: 0, resetMs: 1000 });
  });

  it('denies a cost that does not fit while a smaller one still does', () => {
    const { rl } = limiter('fixed', 5);
    rl.consume('k', 3);
    expect(rl.consume('k', 3).allowed).toBe(false);
    expect(rl.consume('k', 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps keys independent', () => {
    const { rl } = limiter('fixed', 1);
    expect(rl.consume('a', 1).allowed).toBe(true);
    expect(rl.consume('b', 1).allowed).toBe(true);
    expect(rl.consume('a', 1).allowed).toBe(false);
  });

  it('stays within maxKeys, sweeping expired keys first', () => {
    const { clock, rl } = limiter('fixed', 1, 1000, 2);
    rl.consume('a', 1);
    rl.consume('b', 1);
    rl.consume('c', 1); // evicts a (oldest)
    expect(rl.size).toBe(2);
    expect(rl.consume('a', 1).allowed).toBe(true); // forgotten, so allowed again
    clock.t += 1000;
    rl.consume('d', 1);
    expect(rl.size).toBeLessThanOrEqual(2);
  });
});

describe('MemoryRateLimiter sliding', () => {
  it('weights the previous window by its overlap', () => {
    const { clock, rl } = limiter('sliding', 10, 1000);
    clock.t = 100_000; // window start
    for (let i = 0; i < 10; i++) expect(rl.consume('k', 1).allowed).toBe(true);
    // next window: 10*(1000-e)/1000 + 1 <= 10 → e >= 100 → 1000 + 100
    expect(rl.consume('k', 1)).toEqual({ allowed: false, remaining: 0, resetMs: 1100 });
    clock.t = 101_250; // next window, 25 % elapsed: previous weighs 0.75 → 7.5 used
    expect(rl.consume('k', 2)).toEqual({ allowed: true, remaining: 0, resetMs: 750 });
    const denied = rl.consume('k', 1);
    expect(denied.allowed).toBe(false);
    // cur=2: 10*(1000-e)/1000 + 2 + 1 <= 10 → e >= 300 → wait 50 ms
    expect(denied.resetMs).toBe(50);
    clock.t += 50;
    expect(rl.consume('k', 1).allowed).toBe(true);
  });

  it('forgets counts older than two windows', () => {
    const { clock, rl } = limiter('sliding', 2, 1000);
    clock.t = 200_000;
    rl.consume('k', 2);
    clock.t = 202_000;
    expect(rl.consume('k', 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('answers a retry time for a full current window that accounts for the next window', () => {
    const { clock, rl } = limiter('sliding', 4, 1000);
    clock.t = 300_500;
    rl.consume('k', 4);
    const d = rl.consume('k', 2);
    // next window: 4*(1000-e)/1000 + 2 <= 4 → e >= 500 → 500 (rest of this window) + 500
    expect(d).toEqual({ allowed: false, remaining: 0, resetMs: 1000 });
    clock.t += 1000;
    expect(rl.consume('k', 2).allowed).toBe(true);
  });
});

describe('MemoryRateLimiter properties', () => {
  const events = fc.array(
    fc.record({ dt: fc.integer({ min: 0, max: 700 }), cost: fc.integer({ min: 1, max: 4 }) }),
    { maxLength: 200 },
  );

  it('fixed: allowed units inside any one window never exceed the limit', () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 10 }), (evs, limit) => {
        const { clock, rl } = limiter('fixed', limit, 1000);
        const perWindow = new Map<number, number>();
        for (const { dt, cost } of evs) {
          clock.t += dt;
          const r = rl.consume('k', cost);
          if (!r.allowed) continue;
          const windowEnd = clock.t + r.resetMs;
          perWindow.set(windowEnd, (perWindow.get(windowEnd) ?? 0) + cost);
        }
        for (const used of perWindow.values()) expect(used).toBeLessThanOrEqual(limit);
      }),
    );
  });

  it('sliding: allowed units per aligned window never exceed the limit, and remaining is sane', () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 10 }), (evs, limit) => {
        const { clock, rl } = limiter('sliding', limit, 1000);
        const perWindow = new Map<number, number>();
        for (const { dt, cost } of evs) {
          clock.t += dt;
          const r = rl.consume('k', cost);
          expect(r.remaining).toBeGreaterThanOrEqual(0);
          expect(r.remaining).toBeLessThanOrEqual(limit);
          expect(r.resetMs).toBeGreaterThan(0);
          if (!r.allowed) continue;
          const idx = Math.floor(clock.t / 1000);
          perWindow.set(idx, (perWindow.get(idx) ?? 0) + cost);
        }
        for (const used of perWindow.values()) expect(used).toBeLessThanOrEqual(limit);
      }),
    );
  });

  it('sliding: a denied request is allowed once its resetMs has passed (no other traffic)', () => {
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 10 }), (evs, limit) => {
        const { clock, rl } = limiter('sliding', limit, 1000);
        for (const { dt, cost } of evs) {
          clock.t += dt;
          const c = Math.min(cost, limit);
          const r = rl.consume('k', c);
          if (r.allowed) continue;
          clock.t += r.resetMs;
          expect(rl.consume('k', c).allowed).toBe(true);
        }
      }),
    );
  });
});

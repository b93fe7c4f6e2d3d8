import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './memory-rate-limiter.js';

function limiter(algorithm: 'fixed' | 'sliding', limit = 3, windowMs = 1000) {
  const clock = { t: 10_000, now: () => clock.t };
  return { clock, rl: new MemoryRateLimiter({ limit, windowMs, algorithm, maxKeys: 100, clock }) };
}

describe.each(['fixed', 'sliding'] as const)(
  'MemoryRateLimiter %s refund / peek / reset',
  (algorithm) => {
    it('refund gives units back (never below 0), peek reads without counting, reset forgets', () => {
      const { clock, rl } = limiter(algorithm);
      expect(rl.peek('k')).toBeUndefined();
      expect(rl.refund('k', 1)).toBe(false);
      rl.consume('k', 3);
      expect(rl.consume('k', 1).allowed).toBe(false);
      expect(rl.peek('k')).toEqual({ used: 3, resetMs: 1000 });
      expect(rl.refund('k', 1)).toBe(true);
      expect(rl.peek('k')?.used).toBe(2);
      expect(rl.consume('k', 1).allowed).toBe(true);
      expect(rl.refund('k', 10)).toBe(true);
      expect(rl.peek('k')?.used).toBe(0);
      clock.t += 250;
      rl.consume('k', 2);
      expect(rl.peek('k')).toEqual({ used: 2, resetMs: 750 });
      expect(rl.reset('k')).toBe(true);
      expect(rl.peek('k')).toBeUndefined();
      expect(rl.reset('k')).toBe(false);
    });

    it('peek is undefined once the window is over', () => {
      const { clock, rl } = limiter(algorithm);
      rl.consume('k', 1);
      clock.t += 2000;
      expect(rl.peek('k')).toBeUndefined();
    });
  },
);

it('sliding peek weighs the previous window by its overlap', () => {
  const { clock, rl } = limiter('sliding', 10, 1000);
  rl.consume('k', 4); // window 10 (t = 10 000)
  clock.t += 1250; // window 11, 25 % elapsed: previous weighs 75 %
  expect(rl.peek('k')).toEqual({ used: 3, resetMs: 750 });
});

/** A manual {@link Clock} for tests: time only moves when you call `advance`. */
import type { Clock } from '../types.js';

/** A {@link Clock} whose time you control. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms` (>= 0), running every timer that falls due, in deadline order
   * (ties in scheduling order), each with `now()` equal to its own deadline.
   */
  advance(ms: number): void;
  /** Number of timers scheduled and not yet run or cleared. */
  pendingTimers(): number;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Creates a fake clock starting at `start` ms (default 0). Pass it as the breaker's `clock`
 * option to test your own code under fake time, without real sleeps:
 *
 * ```ts
 * const clock = createFakeClock();
 * const breaker = new CircuitBreaker('db', { clock, resetTimeout: 1000 });
 * clock.advance(1000); // the next call is a half-open trial
 * ```
 */
export function createFakeClock(start = 0): FakeClock {
  if (typeof start !== 'number' || !Number.isFinite(start)) {
    throw new RangeError(`start must be a finite number, got ${String(start)}`);
  }
  let now = start;
  let seq = 0;
  const timers = new Set<Timer>();
  const due = (until: number): Timer | undefined => {
    let next: Timer | undefined;
    for (const t of timers) {
      if (
        t.at <= until &&
        (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
      ) {
        next = t;
      }
    }
    return next;
  };
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): unknown {
      const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, fn };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle: unknown): void {
      timers.delete(handle as Timer);
    },
    advance(ms: number): void {
      if (typeof ms !== 'number' || !(ms >= 0)) {
        throw new RangeError(`ms must be a number >= 0, got ${String(ms)}`);
      }
      const target = now + ms;
      for (let t = due(target); t !== undefined; t = due(target)) {
        timers.delete(t);
        now = Math.max(now, t.at);
        t.fn();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}

/** The default {@link Clock}: `Date.now` that never goes backwards, and unref'ed timers. */
import type { Clock } from './types.js';

let last = 0;

/**
 * The system clock. `now()` is `Date.now()` guarded so it never goes backwards (a wall-clock
 * step back holds time still instead). Timers are `unref`'ed: a breaker never keeps the
 * process alive.
 */
export const systemClock: Clock = {
  now(): number {
    const t = Date.now();
    if (t > last) last = t;
    return last;
  },
  setTimeout(fn: () => void, ms: number): unknown {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

let cached = 0;
let cacheValid = false;
const invalidate = (): void => {
  cacheValid = false;
};

/**
 * {@link systemClock}'s time, read at most once per event-loop turn: the first read caches
 * it and schedules one (unref'ed) `setImmediate` that drops the cache. The breaker uses this
 * on its hot path when it runs on the system clock, because a clock read costs as much as a
 * whole `await` on some machines. Resolution: one event-loop turn (a value can be stale by
 * the time the current turn has run so far); time never goes backwards.
 */
export function cachedSystemNow(): number {
  if (cacheValid) return cached;
  cached = systemClock.now();
  cacheValid = true;
  setImmediate(invalidate).unref();
  return cached;
}

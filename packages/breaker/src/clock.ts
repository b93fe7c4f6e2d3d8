/** The default {@link Clock}: `Date.now` that never goes backwards, and unref'ed timers. */
import type { Clock } from './types.js';

let last = 0;

/**
 * The system clock. `now()` is `Date.now()` guarded so it never goes backwards (a wall-clock
 * step back holds time still instead). Timers are created `unref`'ed; the breaker's deadline
 * list `ref`s its one timer while calls with a deadline are pending (so every such call gets to
 * settle) and unrefs it again once none is: an idle breaker never keeps the process alive.
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
/** Cached reads left before the next real read; 0 means the cache is invalid. */
let readsLeft = 0;
/** Real reads are forced at least this often, however long a turn runs. */
export const CACHED_NOW_MAX_READS = 64;
/** Whether an invalidating immediate is already queued (never more than one). */
let immediateQueued = false;
const invalidate = (): void => {
  readsLeft = 0;
  immediateQueued = false;
};

/**
 * {@link systemClock}'s time, cached: a real read is cached for the rest of the event-loop turn
 * (one `setImmediate` drops it) and for at most {@link CACHED_NOW_MAX_READS} reads, whichever
 * ends first. The breaker uses this on its hot path when it runs on the system clock, because
 * a clock read costs about as much as a whole `await` (~47 ns here).
 *
 * Both bounds matter. A long run of promise reactions never yields to the event loop, so the
 * turn bound alone would let the time go stale for as long as the run lasts (deadlines would
 * then fire early); the read bound caps that staleness at a few dozen calls' worth. The
 * `setImmediate` is ref'ed on purpose: an unref'ed one does not stop the loop from blocking in
 * poll, and the first I/O callback after a long idle period would read the time from before it.
 * A ref'ed immediate keeps the process alive for at most one more loop iteration.
 */
export function cachedSystemNow(): number {
  if (readsLeft !== 0) {
    readsLeft--;
    return cached;
  }
  cached = systemClock.now();
  readsLeft = CACHED_NOW_MAX_READS - 1;
  if (!immediateQueued) {
    immediateQueued = true;
    setImmediate(invalidate);
  }
  return cached;
}

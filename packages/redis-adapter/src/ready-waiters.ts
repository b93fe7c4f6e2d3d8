/**
 * Callers waiting for a connection to become ready, each with its own time limit. A waiter
 * holds the process alive ({@link holdProcess}) until it settles: the timers it waits on (its
 * own deadline, the reconnect loop's) are unref'ed, and a top-level `await connect()` with Redis
 * down must still settle instead of Node exiting with code 13 over an empty event loop.
 */
import { holdProcess, type Clock, type ReleaseHold } from '@breakwater/breaker';

/** How a wait ended. */
export type WaitOutcome = 'ready' | 'failed' | 'closed' | 'timeout';

interface Waiter {
  resolve(outcome: WaitOutcome): void;
  timer: unknown;
  release: ReleaseHold;
}

/** A set of waiters settled together (ready, failed, closed) or one by one (timeout). */
export class ReadyWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>) {}

  /** Resolves with the next {@link settle} outcome, or 'timeout' after `ms`. */
  wait(ms: number): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined, release: holdProcess() };
      waiter.timer = this.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        waiter.release();
        resolve('timeout');
      }, ms);
      this.waiters.add(waiter);
    });
  }

  /** Settles every waiter with `outcome` and clears their timers. */
  settle(outcome: WaitOutcome): void {
    if (this.waiters.size === 0) return;
    for (const w of this.waiters) {
      this.clock.clearTimeout(w.timer);
      w.release();
      w.resolve(outcome);
    }
    this.waiters.clear();
  }
}

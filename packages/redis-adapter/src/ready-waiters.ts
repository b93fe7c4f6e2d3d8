/** Callers waiting for a connection to become ready, each with its own time limit. */
import type { Clock } from '@breakwater/breaker';

/** How a wait ended. */
export type WaitOutcome = 'ready' | 'failed' | 'closed' | 'timeout';

interface Waiter {
  resolve(outcome: WaitOutcome): void;
  timer: unknown;
}

/** A set of waiters settled together (ready, failed, closed) or one by one (timeout). */
export class ReadyWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  /** Resolves with the next {@link settle} outcome, or 'timeout' after `ms`. */
  wait(ms: number): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      waiter.timer = this.clock.setTimeout(() => {
        this.waiters.delete(waiter);
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
      w.resolve(outcome);
    }
    this.waiters.clear();
  }
}

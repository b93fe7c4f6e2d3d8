/** The adapter-driven reconnect loop: one cancellable timer paced by a {@link ReconnectPlanner}. */
import type { Backoff, Clock } from '@breakwater/breaker';
import { ReconnectPlanner } from './reconnect-strategy.js';
import type { RedisAdapterEvents, RedisFailureKind } from './types.js';

/** Schedules reconnect attempts with the backoff; at most one is pending at a time. */
export class ReconnectLoop {
  private readonly planner: ReconnectPlanner;
  private timer: unknown = undefined;

  constructor(
    backoff: Backoff,
    private readonly clock: Clock,
    private readonly onReconnecting: (payload: RedisAdapterEvents['reconnecting']) => void,
  ) {
    this.planner = new ReconnectPlanner(backoff);
  }

  /** True while an attempt is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Announces (`onReconnecting`) and schedules `attempt` after the next backoff delay. Call only
   * when nothing is {@link pending}.
   */
  schedule(kind: RedisFailureKind, attempt: () => void): void {
    const next = this.planner.next();
    this.onReconnecting({ attempt: next.attempt, delayMs: next.delayMs, kind });
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, next.delayMs);
  }

  /** Counts an attempt someone else makes (node-redis retrying an adopted client). */
  countExternalAttempt(): number {
    return this.planner.next().attempt;
  }

  /** Cancels the pending attempt, if any. */
  cancel(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A connection became ready: the next drop starts from attempt 0 again. */
  reset(): void {
    this.planner.reset();
  }
}

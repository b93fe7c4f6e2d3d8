/** A call waiting in a bulkhead's queue: a deadline-list entry that also settles the caller. */
import type { Fallback, Operation, Settler } from './call-support.js';
import type { DeadlineEntry } from './deadline-list.js';

const noop = (): void => {};

/** Why a queued call leaves the queue without a slot. */
export type LeaveReason = 'timeout' | 'abort';

export class QueuedCall implements DeadlineEntry, Settler {
  /** When the call's queue timeout passes (clock ms); `Infinity` without a timeout. */
  deadline: number;
  prev: DeadlineEntry | null = null;
  next: DeadlineEntry | null = null;
  linked = false;
  resolve: (value: unknown) => void = noop;
  reject: (error: unknown) => void = noop;
  /** The abort listener on {@link signal}, while one is attached. */
  onAbort: (() => void) | null = null;

  constructor(
    readonly op: Operation<unknown>,
    readonly fallback: Fallback<unknown> | undefined,
    readonly signal: AbortSignal | undefined,
    readonly enqueuedAt: number,
    timeout: number | false,
    /** The owner's handler for a call leaving without a slot. */
    private readonly leave: (call: QueuedCall, why: LeaveReason) => void,
  ) {
    this.deadline = timeout === false ? Infinity : enqueuedAt + timeout;
    if (signal !== undefined) {
      this.onAbort = () => leave(this, 'abort');
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** Called by the deadline list once the queue timeout has passed (already unlinked). */
  expire(): void {
    this.leave(this, 'timeout');
  }

  /** Removes the abort listener, if any. */
  detach(): void {
    if (this.onAbort !== null) {
      this.signal!.removeEventListener('abort', this.onAbort);
      this.onAbort = null;
    }
  }
}

/**
 * Deadlines of in-flight calls, kept in one doubly linked list per breaker, ordered by deadline,
 * with ONE timer armed for the head. Calls with the same timeout expire in FIFO order, so an
 * insertion is normally a plain O(1) append; a shorter deadline (a per-call override, a
 * half-open trial) walks back from the tail. Removal is O(1) and leaves the timer alone: when
 * it fires, it expires what is due and re-arms for the new head, or stays unarmed once the list
 * is empty. So a breaker owns at most one timer, and only while calls with a deadline are (or
 * were, within one timeout) in flight — never per call, never while idle.
 *
 * Keeping the process alive: while the list is non-empty the timer is ref'ed (if its handle has
 * `ref`/`unref`, as Node timers do), so a pending call always gets to its deadline and settles.
 * Once the list empties, the timer is unref'ed at the end of that event-loop turn (one
 * `setImmediate`, which unrefs only if the list is still empty then), so a left-over timer never holds the
 * process open. Ref'ing again on the next insert is a flag check in the common case.
 */
import { MAX_TIMER_DELAY } from './backoff.js';
import type { Clock } from './types.js';

/** A list entry: the owner fills `deadline` and implements `expire`. */
export interface DeadlineEntry {
  /** Absolute clock time (ms) at which `expire` is due. */
  deadline: number;
  prev: DeadlineEntry | null;
  next: DeadlineEntry | null;
  /** Whether the entry is in a list. */
  linked: boolean;
  /** Called once when the deadline has passed (the entry is already unlinked). */
  expire(): void;
}

/** A timer handle that can hold the event loop open (Node's `Timeout`). */
interface RefHandle {
  ref(): unknown;
  unref(): unknown;
}

const isRefHandle = (h: unknown): h is RefHandle =>
  typeof h === 'object' &&
  h !== null &&
  typeof (h as RefHandle).ref === 'function' &&
  typeof (h as RefHandle).unref === 'function';

export class DeadlineList {
  private head: DeadlineEntry | null = null;
  private tail: DeadlineEntry | null = null;
  private timer: unknown = undefined;
  /** Deadline the armed timer was set for (Infinity when unarmed). */
  private armedFor = Infinity;
  /** The armed timer, when it can be ref'ed/unref'ed (else null). */
  private refHandle: RefHandle | null = null;
  /** Whether {@link refHandle} is currently ref'ed. */
  private refd = false;
  /** Whether an end-of-turn idle check is scheduled. */
  private idleCheck = false;
  private readonly onTimer = (): void => this.fire();
  private readonly onIdleCheck = (): void => {
    this.idleCheck = false;
    if (this.head === null && this.refd) {
      this.refd = false;
      this.refHandle!.unref();
    }
  };

  constructor(private readonly clock: Clock) {}

  /** Adds `entry` (its `deadline` set) and makes sure a ref'ed timer covers it. */
  insert(entry: DeadlineEntry): void {
    const tail = this.tail;
    entry.linked = true;
    entry.next = null;
    if (tail === null) {
      // Empty list: the timer, if still armed, was set for an earlier deadline.
      entry.prev = null;
      this.head = this.tail = entry;
      if (entry.deadline < this.armedFor) this.arm(entry.deadline);
      else if (!this.refd && this.refHandle !== null) {
        this.refd = true;
        this.refHandle.ref();
      }
      return;
    }
    if (tail.deadline <= entry.deadline) {
      // Fast path (same timeout as the calls before it): append. The armed timer is due no
      // later than the head, hence no later than this entry.
      entry.prev = tail;
      tail.next = entry;
      this.tail = entry;
      return;
    }
    let after = tail.prev;
    while (after !== null && after.deadline > entry.deadline) after = after.prev;
    entry.prev = after;
    entry.next = after === null ? this.head : after.next;
    entry.next!.prev = entry;
    if (after === null) this.head = entry;
    else after.next = entry;
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /** Removes `entry` if it is linked (O(1)). */
  remove(entry: DeadlineEntry): void {
    if (!entry.linked) return;
    entry.linked = false;
    const prev = entry.prev;
    const next = entry.next;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = null;
    if (this.head === null && this.refd && !this.idleCheck) {
      this.idleCheck = true;
      // Ref'ed on purpose: an unref'ed immediate does not stop the loop from blocking on the
      // (still ref'ed) timer, so it would only run when that timer fires.
      setImmediate(this.onIdleCheck);
    }
  }

  /** The entry with the earliest deadline (in insertion order among equal ones), or null. */
  get first(): DeadlineEntry | null {
    return this.head;
  }

  /** True while a timer is armed (for tests and diagnostics). */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** True while the armed timer holds the event loop open (for tests and diagnostics). */
  get holdsProcess(): boolean {
    return this.refd;
  }

  private arm(deadline: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedFor = deadline;
    // Node fires a longer setTimeout after 1 ms: wait at most the limit, fire() re-arms.
    const ms = Math.min(MAX_TIMER_DELAY, Math.max(0, deadline - this.clock.now()));
    const timer = this.clock.setTimeout(this.onTimer, ms);
    this.timer = timer;
    if (isRefHandle(timer)) {
      timer.ref();
      this.refHandle = timer;
      this.refd = true;
    } else {
      this.refHandle = null;
      this.refd = false;
    }
  }

  private fire(): void {
    this.timer = undefined;
    this.refHandle = null;
    this.refd = false;
    this.armedFor = Infinity;
    const now = this.clock.now();
    let entry = this.head;
    while (entry !== null && entry.deadline <= now) {
      this.remove(entry);
      entry.expire();
      // expire() may have inserted or removed entries: restart from the head.
      entry = this.head;
    }
    if (entry !== null && this.timer === undefined) this.arm(entry.deadline);
  }
}

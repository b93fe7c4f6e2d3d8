/**
 * Deadlines of in-flight calls, kept in one doubly linked list per breaker, ordered by deadline,
 * with ONE timer armed for the head. Calls with the same timeout expire in FIFO order, so an
 * insertion is an O(1) append; a shorter deadline (a per-call override, a half-open trial)
 * walks back from the tail. Removal is O(1) and leaves the timer alone: when it fires, it
 * expires what is due and re-arms for the new head, or stays unarmed once the list is empty.
 * So a breaker owns at most one timer, and only while calls with a deadline are (or were,
 * within one timeout) in flight — never per call, never while idle.
 */
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

export class DeadlineList {
  private head: DeadlineEntry | null = null;
  private tail: DeadlineEntry | null = null;
  private timer: unknown = undefined;
  /** Deadline the armed timer was set for (Infinity when unarmed). */
  private armedFor = Infinity;
  private readonly onTimer = (): void => this.fire();

  constructor(private readonly clock: Clock) {}

  /** Adds `entry` (its `deadline` set) and makes sure a timer covers it. */
  insert(entry: DeadlineEntry): void {
    let after = this.tail;
    while (after !== null && after.deadline > entry.deadline) after = after.prev;
    entry.prev = after;
    entry.next = after === null ? this.head : after.next;
    if (entry.next === null) this.tail = entry;
    else entry.next.prev = entry;
    if (after === null) this.head = entry;
    else after.next = entry;
    entry.linked = true;
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /** Removes `entry` if it is linked (O(1)). */
  remove(entry: DeadlineEntry): void {
    if (!entry.linked) return;
    entry.linked = false;
    const { prev, next } = entry;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = null;
  }

  /** True while a timer is armed (for tests and diagnostics). */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  private arm(deadline: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, deadline - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
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

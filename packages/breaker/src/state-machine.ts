/**
 * The breaker's mutable state and its transitions: the current state record, the generation
 * counter that fences off calls admitted earlier, forcing, and the `stateChange` event. Admission
 * (admission.ts) and outcome recording (outcome-recorder.ts) read and drive it.
 */
import createDebug from 'debug';
import {
  closedState,
  halfOpenState,
  openDuration,
  openState,
  type State,
} from './circuit-state.js';
import { cachedSystemNow, systemClock } from './clock.js';
import type { DeadlineList } from './deadline-list.js';
import { callChannel, stateChangeChannel, type BreakerStateChangeMessage } from './diagnostics.js';
import { Emitter } from './emitter.js';
import { ObserverSet } from './observer-set.js';
import type { ResolvedCircuitBreakerOptions } from './options.js';
import { SlidingWindow } from './sliding-window.js';
import type {
  BreakerCallObserver,
  CircuitBreakerEvents,
  CircuitBreakerSnapshot,
  RejectionReason,
  StateChangeReason,
} from './types.js';

const debug = createDebug('breakwater:breaker');

export class StateMachine {
  readonly window: SlidingWindow;
  readonly events = new Emitter<CircuitBreakerEvents>();
  /** Whether the per-call events have listeners (a property read on every call). */
  readonly listened = {
    success: this.events.listening('success'),
    failure: this.events.listening('failure'),
    timeout: this.events.listening('timeout'),
  };
  /** Call observers (`observeCalls`): told every counted outcome, without an event object. */
  readonly calls = new ObserverSet<Parameters<BreakerCallObserver>>('call observer');
  st: State;
  /** Incremented by every transition; calls remember the one they were admitted in. */
  generation = 0;
  forced: 'open' | 'closed' | null = null;
  lastFailureTime: number | null = null;
  lastStateChange: number;
  /** Why the last rejected call was rejected (set by admission). */
  rejection: RejectionReason = 'open';
  /** The deadline list, created with the first call that has a deadline. */
  deadlines: DeadlineList | undefined = undefined;
  /**
   * Current time. On the system clock this is {@link cachedSystemNow} (one clock read per
   * event-loop turn); an injected clock is read every time.
   */
  readonly now: () => number;

  constructor(
    readonly name: string,
    readonly opts: ResolvedCircuitBreakerOptions,
  ) {
    const clock = opts.clock;
    this.window = new SlidingWindow(opts.monitoringWindow, opts.windowBuckets);
    this.now = clock === systemClock ? cachedSystemNow : () => clock.now();
    const now = clock.now();
    this.lastStateChange = now;
    this.st = closedState(0);
    if (opts.initialState !== undefined) this.restore(opts.initialState, now);
  }

  /** Whether calls need their start time (slow-call rule, a listener, a call observer, a channel subscriber). */
  timed(): boolean {
    return (
      this.opts.slowCallDuration !== false ||
      this.events.size !== 0 ||
      this.calls.current !== undefined ||
      callChannel.hasSubscribers
    );
  }

  /** Back to closed: window cleared, forcing cleared. In-flight calls are fenced off. */
  reset(): void {
    this.forced = null;
    this.toClosed('reset');
  }

  forceOpen(): void {
    if (this.forced === 'open') return;
    this.forced = 'open';
    this.toOpen('force-open', 0);
  }

  forceClosed(): void {
    if (this.forced === 'closed') return;
    this.forced = 'closed';
    this.toClosed('force-closed');
  }

  toOpen(reason: StateChangeReason, attempt: number): void {
    const now = this.now();
    const previous = this.st.kind === 'closed' ? undefined : this.st.duration;
    const duration = openDuration(this.opts.resetTimeout, attempt, previous, this.name);
    const forced = this.forced === 'open';
    const next = openState(this.name, ++this.generation, now, attempt, duration, duration, forced);
    this.transition(next, reason, now);
  }

  toClosed(reason: StateChangeReason): void {
    this.window.clear();
    this.transition(closedState(++this.generation), reason, this.now());
  }

  /** Open → half-open, decided lazily by admission at `now`. */
  toHalfOpen(attempt: number, duration: number, now: number): void {
    this.transition(halfOpenState(++this.generation, attempt, duration), 'reset-timeout', now);
  }

  /** Installs `next` (state fully mutated first), then emits. */
  private transition(next: State, reason: StateChangeReason, now: number): void {
    const from = this.st.kind;
    this.st = next;
    this.lastStateChange = now;
    debug('%s: %s -> %s (%s)', this.name, from, next.kind, reason);
    const events = this.events.has('stateChange');
    if (events || stateChangeChannel.hasSubscribers) {
      const payload: BreakerStateChangeMessage = {
        name: this.name,
        from,
        to: next.kind,
        reason,
        at: now,
      };
      if (events) this.events.emit('stateChange', payload);
      if (stateChangeChannel.hasSubscribers) stateChangeChannel.publish(payload);
    }
  }

  private restore(snap: CircuitBreakerSnapshot, now: number): void {
    this.forced = snap.forced;
    const attempt = snap.openAttempt;
    const duration = openDuration(this.opts.resetTimeout, attempt, undefined, this.name);
    if (snap.state === 'open') {
      const forced = snap.forced === 'open';
      const remaining = snap.openRemainingMs ?? 0;
      this.st = openState(this.name, ++this.generation, now, attempt, duration, remaining, forced);
    } else if (snap.state === 'half-open') {
      this.st = halfOpenState(++this.generation, attempt, duration);
    }
  }
}

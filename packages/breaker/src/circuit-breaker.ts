/**
 * The circuit breaker state machine. The window (sliding-window.ts), the trip decision
 * (trip-rule.ts), deadlines (deadline-list.ts), guarded calls (guarded-call.ts) and events
 * (emitter.ts) live in their own files; this one decides admissions and transitions.
 */
import createDebug from 'debug';
import { DeadlineList } from './deadline-list.js';
import { Emitter } from './emitter.js';
import {
  closedState,
  halfOpenState,
  openDuration,
  openState,
  snapshotOf,
  type ClosedState,
  type HalfOpenState,
  type State,
} from './circuit-state.js';
import { cachedSystemNow, systemClock } from './clock.js';
import { BrokenCircuitError, type TimeoutError } from './errors.js';
import { GuardedCall, NEVER_ABORTED, isThenable, type CallOwner } from './guarded-call.js';
import {
  resolveCircuitBreakerOptions,
  validateName,
  type ResolvedCircuitBreakerOptions,
} from './options.js';
import { SlidingWindow } from './sliding-window.js';
import { evaluateTripRule } from './trip-rule.js';
import type {
  CircuitBreakerEvents,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitState,
  ExecuteOptions,
  RejectionReason,
  StateChangeReason,
  Unsubscribe,
} from './types.js';

const debug = createDebug('breakwater:breaker');

/** The protected operation. It receives an AbortSignal (see README: "Signals and timeouts"). */
export type Operation<T> = (signal: AbortSignal) => T | PromiseLike<T>;
/** Called instead of failing: receives the error, a TimeoutError or a BrokenCircuitError. */
export type Fallback<R> = (reason: unknown) => R | PromiseLike<R>;

const ADMIT_CLOSED = 0;
const ADMIT_TRIAL = 1;
const REJECT = 2;

/** A circuit breaker. See the package README for the exact rules. */
export class CircuitBreaker implements CallOwner {
  readonly name: string;
  private readonly opts: ResolvedCircuitBreakerOptions;
  private readonly window: SlidingWindow;
  private readonly events = new Emitter<CircuitBreakerEvents>();
  private st: State;
  private generation = 0;
  private forced: 'open' | 'closed' | null = null;
  private lastFailureTime: number | null = null;
  private lastStateChange: number;
  private rejection: RejectionReason = 'open';
  /** The deadline list, created with the first call that has a deadline. */
  private deadlineList: DeadlineList | undefined = undefined;
  /**
   * Current time. On the system clock this is {@link cachedSystemNow} (one clock read per
   * event-loop turn); an injected clock is read every time.
   */
  private readonly now: () => number;

  constructor(name: string, options?: CircuitBreakerOptions) {
    this.name = validateName(name);
    this.opts = resolveCircuitBreakerOptions(options);
    const clock = this.opts.clock;
    this.window = new SlidingWindow(this.opts.monitoringWindow, this.opts.windowBuckets);
    this.now = clock === systemClock ? cachedSystemNow : () => clock.now();
    const now = clock.now();
    this.lastStateChange = now;
    this.st = closedState(0);
    const snap = this.opts.initialState;
    if (snap !== undefined) this.restore(snap, now);
  }

  /** Current state. Open → half-open happens lazily on the next call, so this may read `open` after `resetTimeout`. */
  get state(): CircuitState {
    return this.st.kind;
  }

  /** Subscribes to an event; returns an idempotent unsubscribe function. */
  on<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: (payload: CircuitBreakerEvents[K]) => void,
  ): Unsubscribe {
    return this.events.on(event, listener);
  }

  /**
   * Runs `op` through the breaker. Resolves with its value; on failure, timeout or short-circuit
   * resolves with `fallback(reason)` if given, otherwise rejects (BrokenCircuitError,
   * TimeoutError, or the op's error). Errors `isFailure` rejects are rethrown unchanged without
   * the fallback; an abort through `options.signal` rejects with the signal's reason.
   */
  execute<T, R = T>(
    op: Operation<T>,
    fallback?: Fallback<R>,
    options?: ExecuteOptions,
  ): Promise<T | R> {
    if (typeof op !== 'function') {
      return Promise.reject(new TypeError(`op must be a function, got ${typeof op}`));
    }
    if (fallback !== undefined && typeof fallback !== 'function') {
      return Promise.reject(new TypeError(`fallback must be a function, got ${typeof fallback}`));
    }
    let signal: AbortSignal | undefined;
    let limit = this.opts.timeout;
    if (options !== undefined) {
      signal = options.signal;
      if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
      if (options.timeout !== undefined) {
        const checked = checkCallTimeout(options.timeout);
        if (checked === null) {
          return Promise.reject(
            new RangeError(
              `timeout must be a finite number of milliseconds > 0 or false, got ${String(options.timeout)}`,
            ),
          );
        }
        limit = checked;
      }
    }
    let admission = ADMIT_CLOSED;
    if (this.st.kind !== 'closed') {
      admission = this.admit();
      if (admission === REJECT) return this.shortCircuit(fallback);
      if (admission === ADMIT_TRIAL) {
        const trialLimit = this.opts.halfOpenTimeout;
        if (limit === false || limit > trialLimit) limit = trialLimit;
      }
    }
    const gen = this.st.gen;
    if (limit === false && signal === undefined) {
      return fallback === undefined ? this.passThrough(op, gen) : this.runDirect(op, fallback, gen);
    }
    const call = new GuardedCall(
      this,
      (this.deadlineList ??= new DeadlineList(this.opts.clock)),
      gen,
      admission === ADMIT_TRIAL,
      this.now(),
      limit,
      signal,
      fallback,
    );
    return call.run(op, op.length > 0) as Promise<T | R>;
  }

  /**
   * Hot path (no fallback, no deadline, no signal): observe the op's own promise and hand it
   * back unchanged. The caller settles exactly as the op does, a failure costs no second
   * rejected promise, and our reaction, attached first, records the outcome before the caller
   * resumes. Without listeners or slow-call rule the handlers are shared per generation (no
   * closure, no clock read per call).
   */
  private passThrough<T>(op: Operation<T>, gen: number): Promise<T> {
    const start = this.timed() ? this.now() : NaN;
    let result: T | PromiseLike<T>;
    try {
      result = op(NEVER_ABORTED);
    } catch (error) {
      return this.rejectSyncThrow(gen, start, error);
    }
    if (!isThenable(result)) {
      this.recordSuccess(gen, false, start);
      return Promise.resolve(result);
    }
    const p = result instanceof Promise ? (result as Promise<T>) : Promise.resolve(result);
    const st = this.st;
    if (start !== start && st.kind === 'closed' && st.gen === gen) {
      if (st.onValue === undefined) this.bindHandlers(st);
      p.then(st.onValue, st.onError);
    } else {
      p.then(
        () => this.recordSuccess(gen, false, start),
        (error: unknown) => this.recordError(gen, false, start, error),
      );
    }
    return p;
  }

  /** A sync throw on the hot path: count it, then reject with it (no fallback there). */
  private rejectSyncThrow(gen: number, start: number, error: unknown): Promise<never> {
    this.recordError(gen, false, start, error);
    return Promise.reject(error);
  }

  /** Whether calls need their start time (slow-call rule or any listener). */
  private timed(): boolean {
    return this.opts.slowCallDuration !== false || this.events.size !== 0;
  }

  /** Closed-state call that nothing can interrupt: no racing, no allocation beyond the await. */
  private async runDirect<T, R>(
    op: Operation<T>,
    fallback: Fallback<R> | undefined,
    gen: number,
  ): Promise<T | R> {
    const start = this.timed() ? this.now() : NaN;
    let value: T;
    try {
      value = await op(NEVER_ABORTED);
    } catch (error) {
      return this.handleError(gen, false, start, error, fallback);
    }
    this.recordSuccess(gen, false, start);
    return value;
  }

  /** Counts in the current window, state and timing. */
  getStats(): CircuitBreakerStats {
    const now = this.now();
    const w = this.window.expire(now);
    const st = this.st;
    return {
      name: this.name,
      state: st.kind,
      failureCount: w.failures,
      successCount: w.calls - w.failures,
      slowCallCount: w.slow,
      failureRate: w.calls === 0 ? 0 : w.failures / w.calls,
      lastFailureTime: this.lastFailureTime,
      lastStateChange: this.lastStateChange,
      nextRetryTime: st.kind === 'open' && st.until !== Infinity ? st.until : null,
      halfOpenInFlight: st.kind === 'half-open' ? st.inFlight : 0,
      forced: this.forced,
    };
  }

  /** Back to closed: window cleared, forcing cleared, backoff attempts reset. In-flight calls are fenced off. */
  reset(): void {
    this.forced = null;
    this.toClosed('reset');
  }

  /** Opens and stays open (rejection reason `forced-open`) until {@link reset}. */
  forceOpen(): void {
    if (this.forced === 'open') return;
    this.forced = 'open';
    this.toOpen('force-open', 0);
  }

  /** Closes and never trips (calls are still counted) until {@link reset}. */
  forceClosed(): void {
    if (this.forced === 'closed') return;
    this.forced = 'closed';
    this.toClosed('force-closed');
  }

  /** A versioned, clock-independent snapshot; restore it with the `initialState` option. */
  toJSON(): CircuitBreakerSnapshot {
    return snapshotOf(this.st, this.forced, this.now());
  }

  // ---- admission -------------------------------------------------------------------------

  /** Admission while not closed; may move open → half-open (lazily, here). */
  private admit(): number {
    // Bounded loop: a stateChange listener may change the state re-entrantly.
    for (let i = 0; i < 4; i++) {
      const st = this.st;
      if (st.kind === 'closed') return ADMIT_CLOSED;
      if (st.kind === 'half-open') {
        if (st.inFlight < this.opts.halfOpenMaxAttempts) {
          st.inFlight++;
          return ADMIT_TRIAL;
        }
        this.rejection = 'half-open-full';
        return REJECT;
      }
      if (this.forced === 'open') {
        this.rejection = 'forced-open';
        return REJECT;
      }
      const now = this.now();
      if (now < st.until) {
        this.rejection = 'open';
        return REJECT;
      }
      this.transition(
        halfOpenState(++this.generation, st.attempt, st.duration),
        'reset-timeout',
        now,
      );
    }
    return REJECT;
  }

  private shortCircuit<R>(fallback: Fallback<R> | undefined): Promise<R> {
    const reason = this.rejection;
    if (this.events.has('rejected')) this.events.emit('rejected', { name: this.name, reason });
    if (fallback === undefined) return Promise.reject(this.rejectionError(reason, true));
    const st = this.st;
    let error: BrokenCircuitError;
    if (st.kind === 'open') error = st.error;
    else if (st.kind === 'half-open') error = st.fullError ??= this.rejectionError(reason, false);
    else error = this.rejectionError(reason, false);
    if (this.events.has('fallback'))
      this.events.emit('fallback', { name: this.name, reason: error });
    try {
      return Promise.resolve(fallback(error));
    } catch (fallbackError) {
      return Promise.reject(fallbackError);
    }
  }

  private rejectionError(reason: RejectionReason, exact: boolean): BrokenCircuitError {
    const st = this.st;
    let retryAfter: number | null = null;
    let nextRetryTime: number | null = null;
    if (st.kind === 'open' && st.until !== Infinity) {
      nextRetryTime = st.until;
      retryAfter = exact ? Math.max(0, st.until - this.now()) : st.duration;
    }
    return new BrokenCircuitError({
      breakerName: this.name,
      state: st.kind,
      reason,
      retryAfter,
      nextRetryTime,
    });
  }

  // ---- outcomes (generation-fenced) -----------------------------------------------------

  private recordSuccess(gen: number, trial: boolean, start: number): void {
    const now = this.now();
    if (gen === this.st.gen) {
      if (trial) this.toClosed('trial-success');
      else this.recordClosed(now, false, elapsed(now, start));
    }
    if (this.events.has('success')) {
      this.events.emit('success', { name: this.name, durationMs: elapsed(now, start) });
    }
  }

  /** A failure (thrown error or timeout) of a call admitted in generation `gen`. */
  private recordFailure(
    gen: number,
    trial: boolean,
    start: number,
    error: unknown,
    timedOut: boolean,
  ): void {
    const now = this.now();
    this.lastFailureTime = now;
    if (gen === this.st.gen) {
      if (trial) {
        const st = this.st as HalfOpenState;
        this.toOpen(timedOut ? 'trial-timeout' : 'trial-failure', st.attempt + 1);
      } else {
        this.recordClosed(now, true, elapsed(now, start));
      }
    }
    const event = timedOut ? 'timeout' : 'failure';
    if (this.events.has(event)) {
      this.events.emit(event, { name: this.name, durationMs: elapsed(now, start), error });
    }
  }

  /** Neutral outcome (ignored error, caller abort): a trial just gives its slot back. */
  private recordNeutral(gen: number, trial: boolean, start: number, error: unknown): void {
    const st = this.st;
    if (trial && gen === st.gen && st.kind === 'half-open') st.inFlight--;
    if (this.events.has('ignored')) {
      this.events.emit('ignored', {
        name: this.name,
        durationMs: elapsed(this.now(), start),
        error,
      });
    }
  }

  private recordClosed(now: number, failed: boolean, durationMs: number): void {
    const o = this.opts;
    const slow = o.slowCallDuration !== false && durationMs > o.slowCallDuration;
    this.window.record(now, failed, slow);
    if ((failed || slow) && this.forced === null) {
      const verdict = evaluateTripRule(this.window, o);
      if (verdict !== null) this.toOpen(verdict, 0);
    }
  }

  private isCounted(error: unknown): boolean {
    const isFailure = this.opts.isFailure;
    if (isFailure === undefined) return true;
    try {
      return isFailure(error) !== false;
    } catch (predicateError) {
      debug('%s: isFailure threw, counting the error as a failure: %O', this.name, predicateError);
      return true;
    }
  }

  /** Classifies and records an error; true if it counted as a failure. Never throws. */
  private recordError(gen: number, trial: boolean, start: number, error: unknown): boolean {
    if (!this.isCounted(error)) {
      this.recordNeutral(gen, trial, start, error);
      return false;
    }
    this.recordFailure(gen, trial, start, error, false);
    return true;
  }

  /** Records an error, then falls back or throws (ignored errors are rethrown unchanged). */
  private handleError<R>(
    gen: number,
    trial: boolean,
    start: number,
    error: unknown,
    fallback: Fallback<R> | undefined,
  ): R | PromiseLike<R> {
    if (!this.recordError(gen, trial, start, error)) throw error;
    return this.fallBack(error, fallback);
  }

  private fallBack<R>(reason: unknown, fallback: Fallback<R> | undefined): R | PromiseLike<R> {
    if (fallback === undefined) throw reason;
    if (this.events.has('fallback')) this.events.emit('fallback', { name: this.name, reason });
    return fallback(reason);
  }

  /** @internal CallOwner */
  onCallSuccess(call: GuardedCall): void {
    this.recordSuccess(call.generation, call.trial, call.start);
  }
  /** @internal CallOwner */
  onCallError(call: GuardedCall, error: unknown): unknown {
    return this.handleError(call.generation, call.trial, call.start, error, call.fallback);
  }
  /** @internal CallOwner */
  onCallTimeout(call: GuardedCall, error: TimeoutError): unknown {
    this.recordFailure(call.generation, call.trial, call.start, error, true);
    return this.fallBack(error, call.fallback);
  }
  /** @internal CallOwner */
  onCallAbort(call: GuardedCall, reason: unknown): void {
    this.recordNeutral(call.generation, call.trial, call.start, reason);
  }

  // ---- transitions ------------------------------------------------------------------------

  private toOpen(reason: StateChangeReason, attempt: number): void {
    const now = this.now();
    const duration = this.openDurationFor(attempt);
    const next = openState(
      this.name,
      ++this.generation,
      now,
      attempt,
      duration,
      duration,
      this.forced === 'open',
    );
    this.transition(next, reason, now);
  }

  private toClosed(reason: StateChangeReason): void {
    this.window.clear();
    this.transition(closedState(++this.generation), reason, this.now());
  }

  /** Creates the generation-bound handlers of a closed state (once per generation). */
  private bindHandlers(st: ClosedState): void {
    const gen = st.gen;
    st.onValue = () => this.recordSuccess(gen, false, NaN);
    st.onError = (error) => this.recordError(gen, false, NaN, error);
  }

  private openDurationFor(attempt: number): number {
    const previous = this.st.kind === 'closed' ? undefined : this.st.duration;
    return openDuration(this.opts.resetTimeout, attempt, previous, this.name);
  }

  /** Installs `next` (state fully mutated first), then emits. */
  private transition(next: State, reason: StateChangeReason, now: number): void {
    const from = this.st.kind;
    this.st = next;
    this.lastStateChange = now;
    debug('%s: %s -> %s (%s)', this.name, from, next.kind, reason);
    if (this.events.has('stateChange')) {
      this.events.emit('stateChange', { name: this.name, from, to: next.kind, reason, at: now });
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

/** Milliseconds since `start`; 0 for calls whose start was not read (see `timed()`). */
function elapsed(now: number, start: number): number {
  return start === start ? now - start : 0;
}

/** A valid per-call timeout, or null. */
function checkCallTimeout(v: unknown): number | false | null {
  if (v === false) return false;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

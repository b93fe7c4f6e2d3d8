/**
 * Records call outcomes, fenced by generation: the result of a call admitted in an earlier
 * generation never changes the state or the window (its outcome event is still emitted).
 * Decides what a failure does (count in the window and maybe trip; re-open after a failed
 * trial; close after a successful one) and what the caller gets (fallback or the error).
 */
import type { FallbackTarget } from './breaker-call.js';
import createDebug from 'debug';
import { elapsed } from './call-support.js';
import { invokeUserCallback } from './invoke-user-callback.js';
import type { ClosedState, HalfOpenState } from './circuit-state.js';
import { callChannel, type BreakerCallMessage as CallMessage } from './diagnostics.js';
import { isBulkheadRejectedError, type TimeoutError } from './errors.js';
import type { StateMachine } from './state-machine.js';
import { evaluateTripRule } from './trip-rule.js';

const debug = createDebug('breakwater:breaker');

export class OutcomeRecorder {
  constructor(private readonly m: StateMachine) {}

  /** A success; a BreakerCall `target` with a `succeeded` hook hears about it last. */
  recordSuccess(
    gen: number,
    trial: boolean,
    start: number,
    target?: FallbackTarget<unknown> | undefined,
  ): void {
    const m = this.m;
    const now = m.now();
    if (gen === m.st.gen) {
      if (trial) m.toClosed('trial-success');
      else if (m.opts.slowCallDuration === false) m.window.record(now, false, false);
      else this.recordClosed(now, false, elapsed(now, start));
    }
    const observer = m.calls.current;
    if (observer !== undefined)
      invokeUserCallback('call observer', observer, 'success', elapsed(now, start));
    if (m.listened.success.on) {
      m.events.emit('success', { name: m.name, durationMs: elapsed(now, start) });
    }
    if (callChannel.hasSubscribers) {
      const durationMs = elapsed(now, start);
      callChannel.publish({ name: m.name, outcome: 'success', durationMs } satisfies CallMessage);
    }
    if (typeof target === 'object' && target.succeeded !== undefined) {
      invokeUserCallback('succeeded', notifySucceeded, target);
    }
  }

  /** A failure (thrown error or timeout) of a call admitted in generation `gen`. */
  recordFailure(
    gen: number,
    trial: boolean,
    start: number,
    error: unknown,
    timedOut: boolean,
  ): void {
    const m = this.m;
    const now = m.now();
    m.lastFailureTime = now;
    if (gen === m.st.gen) {
      if (trial) {
        const st = m.st as HalfOpenState;
        m.toOpen(timedOut ? 'trial-timeout' : 'trial-failure', st.attempt + 1);
      } else {
        this.recordClosed(now, true, elapsed(now, start));
      }
    }
    const event = timedOut ? 'timeout' : 'failure';
    const observer = m.calls.current;
    if (observer !== undefined)
      invokeUserCallback('call observer', observer, event, elapsed(now, start));
    if ((timedOut ? m.listened.timeout : m.listened.failure).on) {
      m.events.emit(event, { name: m.name, durationMs: elapsed(now, start), error });
    }
    if (callChannel.hasSubscribers) {
      const durationMs = elapsed(now, start);
      callChannel.publish({
        name: m.name,
        outcome: event,
        durationMs,
        error,
      } satisfies CallMessage);
    }
  }

  /** Neutral outcome (ignored error, caller abort): a trial just gives its slot back. */
  recordNeutral(gen: number, trial: boolean, start: number, error: unknown): void {
    const m = this.m;
    const st = m.st;
    if (trial && gen === st.gen && st.kind === 'half-open') st.inFlight--;
    if (m.events.has('ignored')) {
      m.events.emit('ignored', { name: m.name, durationMs: elapsed(m.now(), start), error });
    }
    if (callChannel.hasSubscribers) {
      const durationMs = elapsed(m.now(), start);
      const message: CallMessage = { name: m.name, outcome: 'ignored', durationMs, error };
      callChannel.publish(message);
    }
  }

  /** Classifies and records an error; true if it counted as a failure. Never throws. */
  recordError(gen: number, trial: boolean, start: number, error: unknown): boolean {
    if (!this.isCounted(error)) {
      this.recordNeutral(gen, trial, start, error);
      return false;
    }
    this.recordFailure(gen, trial, start, error, false);
    return true;
  }

  /**
   * Records an error, then falls back or throws. Ignored errors are rethrown unchanged (a
   * BreakerCall's `ignored` hook hears about them first).
   */
  handleError<R>(
    gen: number,
    trial: boolean,
    start: number,
    error: unknown,
    fallback: FallbackTarget<R> | undefined,
  ): R | PromiseLike<R> {
    if (!this.recordError(gen, trial, start, error)) {
      if (typeof fallback === 'object')
        invokeUserCallback('ignored', notifyIgnored, fallback, error);
      throw error;
    }
    return this.fallBack(error, fallback);
  }

  /** Records a timeout, then falls back or throws the TimeoutError. */
  handleTimeout<R>(
    gen: number,
    trial: boolean,
    start: number,
    error: TimeoutError,
    fallback: FallbackTarget<R> | undefined,
  ): R | PromiseLike<R> {
    this.recordFailure(gen, trial, start, error, true);
    return this.fallBack(error, fallback);
  }

  /** `fallback(reason)` (announced by a `fallback` event), or throws `reason` without one. */
  fallBack<R>(reason: unknown, fallback: FallbackTarget<R> | undefined): R | PromiseLike<R> {
    if (fallback === undefined) throw reason;
    const m = this.m;
    if (m.events.has('fallback')) m.events.emit('fallback', { name: m.name, reason });
    return typeof fallback === 'function' ? fallback(reason) : fallback.fallback(reason);
  }

  /** Creates the generation-bound handlers of a closed state (once per generation). */
  bindHandlers(st: ClosedState): void {
    const gen = st.gen;
    st.onValue = () => this.recordSuccess(gen, false, NaN);
    st.onError = (error) => this.recordError(gen, false, NaN, error);
  }

  private recordClosed(now: number, failed: boolean, durationMs: number): void {
    const m = this.m;
    const o = m.opts;
    const slow = o.slowCallDuration !== false && durationMs > o.slowCallDuration;
    m.window.record(now, failed, slow);
    if ((failed || slow) && m.forced === null) {
      const verdict = evaluateTripRule(m.window, o);
      if (verdict !== null) m.toOpen(verdict, 0);
    }
  }

  private isCounted(error: unknown): boolean {
    // A bulkhead inside the breaker turned the call away: that says nothing about the dependency.
    if (isBulkheadRejectedError(error)) return false;
    const isFailure = this.m.opts.isFailure;
    if (isFailure === undefined) return true;
    try {
      return isFailure(error) !== false;
    } catch (predicateError) {
      debug(
        '%s: isFailure threw, counting the error as a failure: %O',
        this.m.name,
        predicateError,
      );
      return true;
    }
  }
}

function notifyIgnored(call: { ignored(error: unknown): void }, error: unknown): void {
  call.ignored(error);
}

function notifySucceeded(call: { succeeded?(): void }): void {
  call.succeeded!();
}

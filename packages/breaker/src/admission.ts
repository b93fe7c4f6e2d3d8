/**
 * Admission while the circuit is not closed (the closed state admits without asking), and the
 * short-circuit answer to a rejected call: the fallback with the open period's shared
 * BrokenCircuitError, or a rejection with a fresh, exact one.
 */

import type { FallbackTarget } from './breaker-call.js';
import { callChannel, type BreakerCallMessage } from './diagnostics.js';
import { BrokenCircuitError } from './errors.js';
import type { StateMachine } from './state-machine.js';
import type { RejectionReason } from './types.js';

export const ADMIT_CLOSED = 0;
export const ADMIT_TRIAL = 1;
export const REJECT = 2;

/** Admits or rejects a call while not closed; may move open → half-open (lazily, here). */
export function admit(m: StateMachine): number {
  // Bounded loop: a stateChange listener may change the state re-entrantly.
  for (let i = 0; i < 4; i++) {
    const st = m.st;
    if (st.kind === 'closed') return ADMIT_CLOSED;
    if (st.kind === 'half-open') {
      if (st.inFlight < m.opts.halfOpenMaxAttempts) {
        st.inFlight++;
        return ADMIT_TRIAL;
      }
      m.rejection = 'half-open-full';
      return REJECT;
    }
    if (m.forced === 'open') {
      m.rejection = 'forced-open';
      return REJECT;
    }
    const now = m.now();
    if (now < st.until) {
      m.rejection = 'open';
      return REJECT;
    }
    m.toHalfOpen(st.attempt, st.duration, now);
  }
  return REJECT;
}

/** Settles a rejected call: `fallback(BrokenCircuitError)` or a rejected BrokenCircuitError. */
export function shortCircuit<R>(
  m: StateMachine,
  fallback: FallbackTarget<R> | undefined,
): Promise<R> {
  const reason = m.rejection;
  const events = m.events;
  if (events.has('rejected')) events.emit('rejected', { name: m.name, reason });
  if (callChannel.hasSubscribers) {
    const message: BreakerCallMessage = {
      name: m.name,
      outcome: 'rejected',
      durationMs: 0,
      reason,
    };
    callChannel.publish(message);
  }
  if (fallback === undefined) return Promise.reject(rejectionError(m, reason, true));
  const st = m.st;
  let error: BrokenCircuitError;
  if (st.kind === 'open') error = st.error;
  else if (st.kind === 'half-open') error = st.fullError ??= rejectionError(m, reason, false);
  else error = rejectionError(m, reason, false);
  if (events.has('fallback')) events.emit('fallback', { name: m.name, reason: error });
  try {
    return Promise.resolve(
      typeof fallback === 'function' ? fallback(error) : fallback.fallback(error),
    );
  } catch (fallbackError) {
    return Promise.reject(fallbackError);
  }
}

function rejectionError(
  m: StateMachine,
  reason: RejectionReason,
  exact: boolean,
): BrokenCircuitError {
  const st = m.st;
  let retryAfter: number | null = null;
  let nextRetryTime: number | null = null;
  if (st.kind === 'open' && st.until !== Infinity) {
    nextRetryTime = st.until;
    retryAfter = exact ? Math.max(0, st.until - m.now()) : st.duration;
  }
  return new BrokenCircuitError({
    breakerName: m.name,
    state: st.kind,
    reason,
    retryAfter,
    nextRetryTime,
  });
}
